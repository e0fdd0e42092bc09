import type { AslDefinition, AslState, StateVisit } from '../../api/types';

export const START = '__start__';
export const END = '__end__';

export interface GraphNode {
  id: string;
  label: string;
  type: string;
  terminal: boolean;
  visits: number;
  durationMs: number | null;
  status: 'idle' | 'visited' | 'current' | 'failed';
  detail?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  kind: 'next' | 'choice' | 'default' | 'catch';
  taken: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface ExecutionInfo {
  status: string;
  currentState: string | null;
}

function describeChoice(choice: Record<string, unknown>): string {
  const variable = typeof choice.Variable === 'string' ? choice.Variable.replace(/^\$\./, '') : '';
  for (const [key, value] of Object.entries(choice)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (/Equals$|Than|Matches|Is/.test(key)) return `${variable} ${key.replace(/Path$/, '')} ${JSON.stringify(value)}`.trim();
    if (key === 'Condition' && typeof value === 'string') return value;
    if (key === 'And' || key === 'Or' || key === 'Not') return `${key.toLowerCase()} (…)`;
  }
  return variable || 'choice';
}

function short(text: string, max = 38): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The transitions out of one state, as the console draws them. */
export function transitions(name: string, state: AslState): Omit<GraphEdge, 'id' | 'taken'>[] {
  const out: Omit<GraphEdge, 'id' | 'taken'>[] = [];
  if (state.Type === 'Choice') {
    for (const choice of state.Choices ?? []) {
      if (choice.Next) out.push({ source: name, target: choice.Next, kind: 'choice', label: short(describeChoice(choice)) });
    }
    if (state.Default) out.push({ source: name, target: state.Default, kind: 'default', label: 'default' });
  } else if (state.Next) {
    out.push({ source: name, target: state.Next, kind: 'next' });
  }
  if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') out.push({ source: name, target: END, kind: 'next' });
  for (const caught of state.Catch ?? []) {
    if (caught.Next) out.push({ source: name, target: caught.Next, kind: 'catch', label: short(`catch ${caught.ErrorEquals.join(', ')}`) });
  }
  return out;
}

/** A definition plus (optionally) an execution's visits → nodes and edges with the path. */
export function buildGraph(definition: AslDefinition, visits: StateVisit[] = [], execution?: ExecutionInfo): Graph {
  const states = definition.States ?? {};
  const byState = new Map<string, { visits: number; duration: number | null; failed: boolean; running: boolean }>();
  for (const visit of visits) {
    const entry = byState.get(visit.state) ?? { visits: 0, duration: null, failed: false, running: false };
    entry.visits += 1;
    if (visit.duration_ms !== null) entry.duration = (entry.duration ?? 0) + visit.duration_ms;
    entry.failed = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(visit.status);
    entry.running = visit.status === 'RUNNING';
    byState.set(visit.state, entry);
  }
  const running = execution?.status === 'RUNNING';
  const current = running ? execution?.currentState ?? visits.filter((v) => v.status === 'RUNNING').at(-1)?.state ?? null : null;

  const nodes: GraphNode[] = [
    { id: START, label: 'Start', type: 'Start', terminal: true, visits: visits.length ? 1 : 0, durationMs: null, status: visits.length ? 'visited' : 'idle' },
  ];
  for (const [name, state] of Object.entries(states)) {
    const seen = byState.get(name);
    let status: GraphNode['status'] = 'idle';
    if (seen) status = seen.failed ? 'failed' : 'visited';
    if (name === current) status = 'current';
    const detail = state.Type === 'Parallel' ? `${state.Branches?.length ?? 0} branches` : state.Type === 'Map' ? 'for each item' : undefined;
    nodes.push({ id: name, label: name, type: state.Type, terminal: false, visits: seen?.visits ?? 0, durationMs: seen?.duration ?? null, status, ...(detail ? { detail } : {}) });
  }
  const finished = Boolean(execution && !running && visits.length);
  nodes.push({ id: END, label: 'End', type: 'End', terminal: true, visits: finished ? 1 : 0, durationMs: null, status: finished ? (execution?.status === 'SUCCEEDED' ? 'visited' : 'failed') : 'idle' });

  // Edges actually taken: consecutive states of the path, the start, and the end.
  const taken = new Set<string>();
  if (visits.length) taken.add(`${START}->${definition.StartAt}`);
  for (let i = 1; i < visits.length; i += 1) taken.add(`${visits[i - 1]!.state}->${visits[i]!.state}`);
  const last = visits.at(-1);
  if (finished && last) taken.add(`${last.state}->${END}`);

  const edges: GraphEdge[] = [];
  const seenIds = new Set<string>();
  const push = (edge: Omit<GraphEdge, 'id' | 'taken'>) => {
    if (edge.target !== END && !(edge.target in states)) return;
    let id = `${edge.source}->${edge.target}`;
    const isTaken = taken.has(id);
    while (seenIds.has(id)) id += "'";
    seenIds.add(id);
    edges.push({ ...edge, id, taken: isTaken });
  };
  if (definition.StartAt in states) push({ source: START, target: definition.StartAt, kind: 'next' });
  for (const [name, state] of Object.entries(states)) transitions(name, state).forEach(push);
  return { nodes, edges };
}

/** Parse an editor's text into a definition, or say why not. */
export function parseDefinition(text: string): { definition: AslDefinition | null; error: string | null } {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { definition: null, error: 'A definition is a JSON object.' };
    const definition = value as AslDefinition;
    if (typeof definition.StartAt !== 'string' || !definition.States || typeof definition.States !== 'object') {
      return { definition: null, error: 'A definition needs "StartAt" and "States".' };
    }
    return { definition, error: null };
  } catch (caught) {
    return { definition: null, error: caught instanceof Error ? caught.message : 'Not valid JSON.' };
  }
}
