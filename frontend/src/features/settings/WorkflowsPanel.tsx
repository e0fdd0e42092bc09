import { useMemo, useState } from 'react';
import {
  useBindWorkflowMutation,
  useCreateDefinitionMutation,
  useGetBindingsQuery,
  useGetDefinitionsQuery,
  useReplaceDefinitionMutation,
  useUnbindWorkflowMutation,
  useValidateDefinitionMutation,
} from '../../api/api';
import { errorMessage } from '../../api/errors';
import { DOCUMENT_TYPES, type Diagnostic, type WorkflowDefinition } from '../../api/types';
import { formatDateTime, titleCase } from '../../components/format';
import { Alert, Badge, Card, EmptyState, ErrorState, Field, LoadingState, Modal, Spinner } from '../../components/ui';
import { parseDefinition } from '../workflow/asl';
import { WorkflowGraph } from '../workflow/WorkflowGraph';

const BINDING_KEYS = ['default', ...DOCUMENT_TYPES];

function typeLabel(key: string): string {
  return key === 'default' ? 'Default (any other type)' : titleCase(key);
}

/** Which workflow each document type starts; changing one activates it for new uploads. */
function Bindings({ machines }: { machines: WorkflowDefinition[] }) {
  const bindings = useGetBindingsQuery();
  const [bind, binding] = useBindWorkflowMutation();
  const [unbind] = useUnbindWorkflowMutation();
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const current = new Map((bindings.data ?? []).map((row) => [row.document_type, row.state_machine]));

  const change = async (key: string, name: string) => {
    setMessage(null);
    try {
      if (name === '') await unbind(key).unwrap();
      else await bind({ document_type: key, state_machine: name }).unwrap();
      setMessage({ tone: 'success', text: name ? `${typeLabel(key)} uploads now run ${name}.` : `${typeLabel(key)} uploads now run the default workflow.` });
    } catch (caught) {
      setMessage({ tone: 'danger', text: errorMessage(caught) });
    }
  };

  return (
    <Card title="Workflow per document type" testId="workflow-bindings" className="card-flush">
      {message && (
        <div style={{ padding: '12px 16px 0' }}>
          <Alert tone={message.tone} testId="binding-message">
            {message.text}
          </Alert>
        </div>
      )}
      {bindings.isLoading ? (
        <LoadingState />
      ) : bindings.error ? (
        <ErrorState error={bindings.error} onRetry={() => void bindings.refetch()} />
      ) : (
        <table className="table table-responsive" data-testid="bindings-table">
          <thead>
            <tr>
              <th scope="col">Document type</th>
              <th scope="col">Runs</th>
            </tr>
          </thead>
          <tbody>
            {BINDING_KEYS.map((key) => (
              <tr key={key} data-testid="binding-row" data-type={key}>
                <td data-label="Type">{typeLabel(key)}</td>
                <td data-label="Runs">
                  <label className="sr-only" htmlFor={`binding-${key}`}>
                    Workflow for {typeLabel(key)}
                  </label>
                  <select id={`binding-${key}`} value={current.get(key) ?? ''} disabled={binding.isLoading} onChange={(event) => void change(key, event.target.value)} data-testid={`binding-${key}`}>
                    {key !== 'default' && <option value="">Use the default</option>}
                    {key === 'default' && !current.get(key) && <option value="">None</option>}
                    {machines.map((machine) => (
                      <option key={machine.name} value={machine.name}>
                        {machine.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function Editor({ machine, onCreated }: { machine: WorkflowDefinition; onCreated: (name: string) => void }) {
  const [text, setText] = useState(() => JSON.stringify(machine.definition, null, 2));
  const [view, setView] = useState<'graph' | 'json'>('graph');
  const [diagnostics, setDiagnostics] = useState<Diagnostic[] | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [copyName, setCopyName] = useState<string | null>(null);
  const [validate, validation] = useValidateDefinitionMutation();
  const [replace, replacing] = useReplaceDefinitionMutation();
  const [create, creating] = useCreateDefinitionMutation();
  const parsed = useMemo(() => parseDefinition(text), [text]);

  const problemsOf = (caught: unknown): Diagnostic[] | null => {
    const errors = (caught as { data?: { errors?: { definition?: unknown } } }).data?.errors?.definition;
    return Array.isArray(errors) && errors.every((item) => typeof item === 'object') ? (errors as Diagnostic[]) : null;
  };
  const run = async (action: () => Promise<unknown>, success: string) => {
    setMessage(null);
    setDiagnostics(null);
    try {
      await action();
      setMessage({ tone: 'success', text: success });
    } catch (caught) {
      setDiagnostics(problemsOf(caught));
      setMessage({ tone: 'danger', text: errorMessage(caught) });
    }
  };
  const runValidate = async () => {
    setMessage(null);
    try {
      const answer = await validate({ definition: text }).unwrap();
      setDiagnostics(answer.diagnostics);
      if (answer.valid) setMessage({ tone: 'success', text: 'The definition is valid.' });
    } catch (caught) {
      setMessage({ tone: 'danger', text: errorMessage(caught) });
    }
  };

  return (
    <Card
      title={
        <span className="row">
          {machine.name}
          {machine.shipped && <Badge tone="muted">shipped · read-only</Badge>}
        </span>
      }
      testId="workflow-editor"
      actions={
        <div className="row">
          <div className="segmented" role="group" aria-label="View">
            <button type="button" aria-pressed={view === 'graph'} onClick={() => setView('graph')} data-testid="definition-view-graph">
              Graph
            </button>
            <button type="button" aria-pressed={view === 'json'} onClick={() => setView('json')} data-testid="definition-view-json">
              JSON
            </button>
          </div>
          <button type="button" className="btn btn-secondary" onClick={() => void runValidate()} disabled={validation.isLoading} data-testid="definition-validate">
            {validation.isLoading && <Spinner label="Validating" />}
            Validate
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setCopyName(`${machine.name.replace(/^docuflow-/, '')}-custom`)} disabled={!parsed.definition} data-testid="definition-copy">
            Save as new…
          </button>
          {!machine.shipped && (
            <button type="button" className="btn btn-primary" onClick={() => void run(() => replace({ name: machine.name, definition: text }).unwrap(), 'Saved. New executions use this definition.')} disabled={!parsed.definition || replacing.isLoading} data-testid="definition-save">
              {replacing.isLoading && <Spinner label="Saving" />}
              Save
            </button>
          )}
        </div>
      }
    >
      <p className="small muted" style={{ marginBottom: 12 }}>
        Updated {formatDateTime(machine.updated_at)} · {machine.bound_to.length ? `runs for ${machine.bound_to.map(typeLabel).join(', ')}` : 'not bound to any document type'}
        {machine.shipped ? ' · Shipped workflows are kept up to date by DocuFlow; save a copy to change one.' : ''}
      </p>
      {message && (
        <Alert tone={message.tone} testId="definition-message">
          {message.text}
        </Alert>
      )}
      {diagnostics && diagnostics.length > 0 && (
        <Alert tone="danger" testId="definition-diagnostics">
          <strong>
            {diagnostics.length} problem{diagnostics.length === 1 ? '' : 's'}:
          </strong>
          <ul>
            {diagnostics.map((problem, index) => (
              <li key={index}>
                <code>{problem.location || '/'}</code> {problem.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {view === 'json' ? (
        <div className="field">
          <label htmlFor="definition-text">Amazon States Language definition</label>
          <textarea id="definition-text" className="code-editor" spellCheck={false} value={text} readOnly={false} onChange={(event) => { setText(event.target.value); setDiagnostics(null); setMessage(null); }} data-testid="definition-text" rows={22} />
          {parsed.error && <p className="field-error">{parsed.error}</p>}
        </div>
      ) : parsed.definition ? (
        <WorkflowGraph definition={parsed.definition} small />
      ) : (
        <Alert tone="warning">The JSON cannot be drawn: {parsed.error}</Alert>
      )}
      {copyName !== null && (
        <Modal
          title="Save as a new workflow"
          onClose={() => setCopyName(null)}
          testId="copy-dialog"
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => setCopyName(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-primary"
                disabled={creating.isLoading || !copyName.trim()}
                onClick={() => {
                  const name = copyName.trim();
                  setCopyName(null);
                  void run(async () => {
                    await create({ name, definition: text }).unwrap();
                    onCreated(name);
                  }, `Created ${name}. Bind it to a document type to activate it.`);
                }}
                data-testid="copy-confirm"
              >
                Create
              </button>
            </>
          }
        >
          <Field label="Name" htmlFor="copy-name" hint="Letters, digits, - and _ (up to 80).">
            <input id="copy-name" value={copyName} onChange={(event) => setCopyName(event.target.value)} data-testid="copy-name" />
          </Field>
        </Modal>
      )}
    </Card>
  );
}

export function WorkflowsPanel() {
  const { data, error, isLoading, refetch } = useGetDefinitionsQuery();
  const [selected, setSelected] = useState<string | null>(null);
  if (isLoading) return <LoadingState />;
  if (error) return <ErrorState error={error} onRetry={() => void refetch()} />;
  const machines = data ?? [];
  const current = machines.find((machine) => machine.name === selected) ?? machines.find((machine) => machine.bound_to.includes('default')) ?? machines[0];
  return (
    <div className="stack">
      <Bindings machines={machines} />
      {machines.length === 0 ? (
        <EmptyState icon="workflow" title="No workflows" />
      ) : (
        <>
          <div className="row">
            <label htmlFor="workflow-name" className="small muted">
              Workflow
            </label>
            <select id="workflow-name" value={current?.name ?? ''} onChange={(event) => setSelected(event.target.value)} data-testid="workflow-select">
              {machines.map((machine) => (
                <option key={machine.name} value={machine.name}>
                  {machine.name}
                  {machine.shipped ? ' (shipped)' : ''}
                </option>
              ))}
            </select>
          </div>
          {current && <Editor key={`${current.name}-${current.revision_id}`} machine={current} onCreated={setSelected} />}
        </>
      )}
    </div>
  );
}
