import { buildGraph, END, parseDefinition, START } from './asl';
import type { AslDefinition } from '../../api/types';

const definition: AslDefinition = {
  StartAt: 'Extract',
  States: {
    Extract: { Type: 'Task', Resource: 'x', Next: 'Check', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.validation.passed', BooleanEquals: true, Next: 'Wait' }],
      Default: 'Failed',
    },
    Wait: { Type: 'Task', Resource: 'y', Next: 'Done' },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail' },
  },
};

describe('buildGraph', () => {
  it('draws every transition, with the choice conditions and error paths', () => {
    const graph = buildGraph(definition);
    const ids = graph.edges.map((edge) => `${edge.source}->${edge.target}:${edge.kind}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        `${START}->Extract:next`,
        'Extract->Check:next',
        'Extract->Failed:catch',
        'Check->Wait:choice',
        'Check->Failed:default',
        'Wait->Done:next',
        `Done->${END}:next`,
        `Failed->${END}:next`,
      ]),
    );
    expect(graph.edges.find((edge) => edge.kind === 'choice')?.label).toContain('validation.passed');
    expect(graph.nodes.every((node) => node.status === 'idle')).toBe(true);
  });

  it('marks the path taken, the current state and each state’s duration', () => {
    const graph = buildGraph(
      definition,
      [
        { state: 'Extract', status: 'SUCCEEDED', duration_ms: 1200 },
        { state: 'Check', status: 'SUCCEEDED', duration_ms: 0 },
        { state: 'Wait', status: 'RUNNING', duration_ms: null },
      ],
      { status: 'RUNNING', currentState: 'Wait' },
    );
    const node = (id: string) => graph.nodes.find((item) => item.id === id)!;
    expect(node('Extract')).toMatchObject({ status: 'visited', durationMs: 1200, visits: 1 });
    expect(node('Wait').status).toBe('current');
    expect(node('Failed').status).toBe('idle');
    expect(node(END).status).toBe('idle');
    const taken = graph.edges.filter((edge) => edge.taken).map((edge) => edge.id);
    expect(taken).toEqual([`${START}->Extract`, 'Extract->Check', 'Check->Wait']);
  });

  it('sums repeated visits and ends the path at End when the execution finished', () => {
    const graph = buildGraph(
      definition,
      [
        { state: 'Extract', status: 'SUCCEEDED', duration_ms: 100 },
        { state: 'Extract', status: 'SUCCEEDED', duration_ms: 50 },
        { state: 'Failed', status: 'FAILED', duration_ms: 1 },
      ],
      { status: 'FAILED', currentState: null },
    );
    expect(graph.nodes.find((node) => node.id === 'Extract')).toMatchObject({ visits: 2, durationMs: 150 });
    expect(graph.nodes.find((node) => node.id === 'Failed')?.status).toBe('failed');
    expect(graph.nodes.find((node) => node.id === END)?.status).toBe('failed');
    expect(graph.edges.find((edge) => edge.id === `Failed->${END}`)?.taken).toBe(true);
  });
});

describe('parseDefinition', () => {
  it('explains what is wrong', () => {
    expect(parseDefinition('{').error).toBeTruthy();
    expect(parseDefinition('[]').error).toMatch(/object/);
    expect(parseDefinition('{"States": {}}').error).toMatch(/StartAt/);
    expect(parseDefinition(JSON.stringify(definition)).definition?.StartAt).toBe('Extract');
  });
});
