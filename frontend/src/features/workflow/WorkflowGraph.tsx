import { Background, Controls, Handle, Position, ReactFlow, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { AslDefinition, StateVisit } from '../../api/types';
import { formatDuration } from '../../components/format';
import type { ExecutionInfo } from './asl';
import { layoutGraph, type StateNodeData } from './layout';

function StateNode({ data }: NodeProps<Node<StateNodeData>>) {
  const classes = ['asl-node', `asl-node-${data.status}`, data.terminal ? 'asl-node-terminal' : ''].join(' ');
  return (
    <div className={classes} data-testid={`graph-node-${data.id}`} data-state-status={data.status} title={data.terminal ? data.label : `${data.label} (${data.type})`}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      {data.terminal ? (
        <span>{data.label}</span>
      ) : (
        <>
          <div className="asl-node-name">{data.label}</div>
          <div className="asl-node-type">
            {data.type}
            {data.detail ? ` · ${data.detail}` : ''}
            {data.visits > 1 ? ` · ×${data.visits}` : ''}
          </div>
          {(data.durationMs !== null || data.status === 'current') && (
            <div className="asl-node-duration">{data.status === 'current' ? (data.durationMs !== null ? `running · ${formatDuration(data.durationMs)}` : 'running…') : formatDuration(data.durationMs)}</div>
          )}
        </>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { state: StateNode };

export function WorkflowGraph({ definition, visits = [], execution, small = false }: { definition: AslDefinition; visits?: StateVisit[]; execution?: ExecutionInfo; small?: boolean }) {
  const { nodes, edges } = useMemo(() => layoutGraph(definition, visits, execution), [definition, visits, execution]);
  // Tall machines get a taller canvas, so that fitting them in keeps the labels legible.
  const extent = nodes.reduce((bottom, node) => Math.max(bottom, node.position.y + 80), 0);
  const height = Math.round(Math.min(small ? 760 : 980, Math.max(small ? 380 : 460, extent * 0.72)));
  return (
    <div className={`graph${small ? ' graph-small' : ''}`} style={{ height }} data-testid="workflow-graph" role="img" aria-label="Workflow state machine graph">
      <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView fitViewOptions={{ padding: 0.12 }} nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} minZoom={0.2} proOptions={{ hideAttribution: true }}>
        <Background gap={18} color="#e7ebf3" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

export function GraphLegend() {
  return (
    <div className="graph-legend" aria-label="Legend">
      <span>
        <span className="legend-swatch" style={{ borderColor: '#2546c9', background: '#eef2ff' }} />
        Current state
      </span>
      <span>
        <span className="legend-swatch" style={{ borderColor: '#2fb57a', background: '#f1fbf6' }} />
        Visited
      </span>
      <span>
        <span className="legend-swatch" style={{ borderColor: '#b42334', background: '#fce8ea' }} />
        Failed
      </span>
      <span>
        <span className="legend-swatch" style={{ borderColor: '#c9d1df', background: '#fff' }} />
        Not reached
      </span>
      <span>Dashed: error path (Catch)</span>
    </div>
  );
}
