import dagre from '@dagrejs/dagre';
import { MarkerType, type Edge, type Node } from '@xyflow/react';
import type { AslDefinition, StateVisit } from '../../api/types';
import { buildGraph, type ExecutionInfo, type GraphNode } from './asl';

const WIDTH = 190;
const HEIGHT = 62;

export type StateNodeData = GraphNode & Record<string, unknown>;

/** Nodes placed top to bottom by dagre; taken edges drawn strong, error paths dashed. */
export function layoutGraph(definition: AslDefinition, visits: StateVisit[], execution?: ExecutionInfo): { nodes: Node<StateNodeData>[]; edges: Edge[] } {
  const graph = buildGraph(definition, visits, execution);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: node.terminal ? 90 : WIDTH, height: node.terminal ? 34 : HEIGHT });
  for (const edge of graph.edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  const nodes = graph.nodes.map<Node<StateNodeData>>((node) => {
    const placed = g.node(node.id) as { x: number; y: number; width: number; height: number };
    return {
      id: node.id,
      type: 'state',
      position: { x: placed.x - placed.width / 2, y: placed.y - placed.height / 2 },
      data: node as StateNodeData,
      draggable: false,
      connectable: false,
    };
  });
  const edges = graph.edges.map<Edge>((edge) => {
    const color = edge.taken ? '#2546c9' : edge.kind === 'catch' ? '#d98b8b' : '#a9b3c6';
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      ...(edge.label ? { label: edge.label } : {}),
      animated: edge.taken && graph.nodes.some((n) => n.id === edge.target && n.status === 'current'),
      style: { stroke: color, strokeWidth: edge.taken ? 2.5 : 1.4, strokeDasharray: edge.kind === 'catch' ? '5 4' : undefined },
      labelStyle: { fontSize: 10, fill: '#4a566d' },
      labelBgStyle: { fill: '#fbfcfe' },
      markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
      data: { taken: edge.taken },
    };
  });
  return { nodes, edges };
}

