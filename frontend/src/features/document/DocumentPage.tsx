import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useStore } from 'react-redux';
import {
  useApproveDocumentMutation,
  useGetDocumentAuditQuery,
  useGetDocumentQuery,
  useGetExtractionQuery,
  useGetVersionsQuery,
  useGetWorkflowGraphQuery,
  useRejectDocumentMutation,
  useRerunExtractionMutation,
} from '../../api/api';
import { errorMessage } from '../../api/errors';
import { authorizedFetch } from '../../api/fetchFile';
import { roleAtLeast, type DocumentRecord } from '../../api/types';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import type { RootState } from '../../app/store';
import { Icon } from '../../components/Icon';
import { formatBytes, formatDateTime, formatDuration, titleCase } from '../../components/format';
import { Alert, Card, EmptyState, ErrorState, LoadingState, PageHeader, StatusBadge } from '../../components/ui';
import { useMemberEmails } from '../../components/useMembers';
import { DecisionDialog, type Decision } from '../review/DecisionDialog';
import { GraphLegend, WorkflowGraph } from '../workflow/WorkflowGraph';
import { ExtractionPanel, TablesPanel } from './ExtractionPanel';
import { Preview, type Highlight } from './Preview';

type Tab = 'fields' | 'tables' | 'details' | 'versions' | 'audit';
const BUSY = new Set(['UPLOADED', 'EXTRACTING', 'VALIDATING']);

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;
}

function ExtractionTabs({ doc, highlightKey, onSelect }: { doc: DocumentRecord; highlightKey: string | null; onSelect: (h: Highlight | null, key: string | null) => void }) {
  const [tab, setTab] = useState<Tab>('fields');
  const user = useAppSelector((state) => state.auth.user);
  const manager = roleAtLeast(user?.role, 'MANAGER');
  const extraction = useGetExtractionQuery(doc.id, { skip: doc.version < 1 });
  const versions = useGetVersionsQuery(doc.id, { skip: tab !== 'versions' });
  const audit = useGetDocumentAuditQuery(doc.id, { skip: tab !== 'audit' || !manager });
  const emails = useMemberEmails();
  const tabs: { id: Tab; label: string }[] = [
    { id: 'fields', label: 'Fields' },
    { id: 'tables', label: 'Tables' },
    { id: 'details', label: 'Details' },
    { id: 'versions', label: 'Versions' },
    { id: 'audit', label: 'Audit trail' },
  ];

  const extractionBody = (render: (e: NonNullable<typeof extraction.data>) => ReactNode) => {
    if (doc.version < 1) return <EmptyState title="No content yet">Upload a file to extract its fields.</EmptyState>;
    if (extraction.isLoading) return <LoadingState label="Loading extracted data…" />;
    if (extraction.error) {
      return isNotFound(extraction.error) ? (
        <EmptyState icon="refresh" title={BUSY.has(doc.status) ? 'Extraction in progress' : 'Not extracted yet'}>
          {BUSY.has(doc.status) ? 'Fields appear here as soon as the workflow has read the document.' : 'This version has no extraction.'}
        </EmptyState>
      ) : (
        <ErrorState error={extraction.error} onRetry={() => void extraction.refetch()} />
      );
    }
    return extraction.data ? render(extraction.data) : null;
  };

  return (
    <section className="card" aria-label="Document data">
      <div className="tabs" role="tablist" aria-label="Document data">
        {tabs.map((item) => (
          <button key={item.id} type="button" role="tab" id={`tab-${item.id}`} aria-selected={tab === item.id} aria-controls={`panel-${item.id}`} className="tab" onClick={() => setTab(item.id)} data-testid={`tab-${item.id}`}>
            {item.label}
          </button>
        ))}
      </div>
      <div className="card-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'fields' && extractionBody((data) => <ExtractionPanel extraction={data} selected={highlightKey} onSelect={onSelect} />)}
        {tab === 'tables' && extractionBody((data) => <TablesPanel extraction={data} />)}
        {tab === 'details' && (
          <dl className="meta-list" data-testid="document-metadata">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={doc.status} />
            </dd>
            <dt>Type</dt>
            <dd>{titleCase(doc.document_type)}</dd>
            <dt>File</dt>
            <dd>
              {doc.filename || '—'} · {formatBytes(doc.file_size)} · {doc.content_type || '—'}
            </dd>
            <dt>Version</dt>
            <dd>{doc.version}</dd>
            <dt>Uploaded by</dt>
            <dd>{(doc.uploaded_by && emails[doc.uploaded_by]) || '—'}</dd>
            <dt>Uploaded</dt>
            <dd>{formatDateTime(doc.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(doc.updated_at)}</dd>
            <dt>Reviewed</dt>
            <dd>{doc.reviewed_at ? `${formatDateTime(doc.reviewed_at)} by ${(doc.reviewed_by && emails[doc.reviewed_by]) || 'a reviewer'}` : '—'}</dd>
            {doc.review_notes && (
              <>
                <dt>Review notes</dt>
                <dd data-testid="review-notes">{doc.review_notes}</dd>
              </>
            )}
            <dt>Visibility</dt>
            <dd>{doc.visibility === 'TENANT' ? 'Everyone in the workspace' : `Restricted${doc.allowed_roles.length ? ` to ${doc.allowed_roles.map(titleCase).join(', ')}` : ''}`}</dd>
            <dt>SHA-256</dt>
            <dd className="mono">{doc.sha256 || '—'}</dd>
          </dl>
        )}
        {tab === 'versions' &&
          (versions.isLoading ? (
            <LoadingState />
          ) : versions.error ? (
            <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />
          ) : !versions.data?.results.length ? (
            <EmptyState title="No versions yet" />
          ) : (
            <div className="table-wrap">
            <table className="table" data-testid="versions-table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                  <th scope="col">Uploaded</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.results.map((version) => (
                  <tr key={version.number}>
                    <td>v{version.number}</td>
                    <td>{version.filename || '—'}</td>
                    <td>{formatBytes(version.size)}</td>
                    <td>
                      {formatDateTime(version.created_at)}
                      {version.created_by && emails[version.created_by] ? ` · ${emails[version.created_by]}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          ))}
        {tab === 'audit' &&
          (!manager ? (
            <EmptyState icon="warning" title="Managers only">The audit trail is visible to managers and administrators.</EmptyState>
          ) : audit.isLoading ? (
            <LoadingState />
          ) : audit.error ? (
            <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
          ) : !audit.data?.results.length ? (
            <EmptyState title="No audit entries" />
          ) : (
            <ol className="timeline" data-testid="audit-trail">
              {audit.data.results.map((entry) => (
                <li key={entry.id}>
                  <span className="timeline-dot" aria-hidden="true" />
                  <div>
                    <div className="timeline-title">
                      {titleCase(entry.action.replace(/\./g, '_'))}
                      {typeof entry.details.to === 'string' && <> → {titleCase(entry.details.to)}</>}
                    </div>
                    <div className="timeline-meta">
                      {formatDateTime(entry.created_at)} · {entry.actor_email || 'DocuFlow'}
                      {entry.version ? ` · v${entry.version}` : ''}
                    </div>
                  </div>
                </li>
              ))}
            </ol>
          ))}
      </div>
    </section>
  );
}

function WorkflowCard({ doc }: { doc: DocumentRecord }) {
  const graph = useGetWorkflowGraphQuery(doc.id, { skip: !doc.workflow_arn });
  const data = graph.data;
  const execution = data ? { status: data.execution.status, currentState: data.execution.current_state } : undefined;
  const total = data?.states.reduce((sum, state) => sum + (state.duration_ms ?? 0), 0) ?? 0;
  return (
    <Card
      title="Workflow"
      testId="workflow-card"
      actions={
        data && (
          <div className="chips">
            <span className="badge badge-neutral" data-testid="execution-status">
              {titleCase(data.execution.status)}
            </span>
            {data.execution.current_state && data.execution.status === 'RUNNING' && (
              <span className="badge badge-info" data-testid="current-state">
                At {data.execution.current_state}
              </span>
            )}
          </div>
        )
      }
    >
      {!doc.workflow_arn ? (
        <EmptyState icon="workflow" title="No workflow yet">The workflow starts when the file has been uploaded.</EmptyState>
      ) : graph.isLoading ? (
        <LoadingState label="Loading the workflow…" />
      ) : graph.error ? (
        <ErrorState error={graph.error} onRetry={() => void graph.refetch()} />
      ) : data?.definition ? (
        <div className="workflow-layout">
          <div>
            <WorkflowGraph definition={data.definition} visits={data.states} execution={execution} />
            <GraphLegend />
          </div>
          <div>
            <p className="small muted" style={{ marginBottom: 8 }}>
              {data.state_machine.name} · started {formatDateTime(data.execution.started_at)}
              {data.execution.stopped_at ? ` · finished ${formatDateTime(data.execution.stopped_at)}` : ''}
            </p>
            {data.execution.error && (
              <Alert tone="danger">
                {data.execution.error}: {data.execution.cause}
              </Alert>
            )}
            <div className="table-wrap">
            <table className="table" data-testid="state-durations">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {data.states.map((state, index) => (
                  <tr key={`${state.state}-${index}`}>
                    <td>{state.state}</td>
                    <td>{titleCase(state.status)}</td>
                    <td>{state.status === 'RUNNING' ? 'waiting…' : formatDuration(state.duration_ms)}</td>
                  </tr>
                ))}
                <tr>
                  <td>
                    <strong>Total</strong>
                  </td>
                  <td />
                  <td>
                    <strong>{formatDuration(total)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
            </div>
          </div>
        </div>
      ) : (
        <EmptyState title="No definition" />
      )}
    </Card>
  );
}

export default function DocumentPage() {
  const { id = '' } = useParams();
  const { data: doc, error, isLoading, refetch } = useGetDocumentQuery(id);
  const user = useAppSelector((state) => state.auth.user);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [highlightKey, setHighlightKey] = useState<string | null>(null);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [notice, setNotice] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [approve] = useApproveDocumentMutation();
  const [reject] = useRejectDocumentMutation();
  const [rerun, rerunState] = useRerunExtractionMutation();
  const store = useStore<RootState>();
  const dispatch = useAppDispatch();

  if (isLoading) return <LoadingState label="Loading the document…" />;
  if (error || !doc) {
    return isNotFound(error) ? (
      <EmptyState icon="file" title="Document not found" action={<Link to="/" className="btn btn-secondary">Back to documents</Link>}>
        It does not exist, or you may not see it.
      </EmptyState>
    ) : (
      <ErrorState error={error} onRetry={() => void refetch()} />
    );
  }

  const canDecide = doc.status === 'PENDING_APPROVAL' && roleAtLeast(user?.role, 'REVIEWER');
  const download = async () => {
    try {
      const response = await authorizedFetch(`/api/v1/documents/${doc.id}/download/`, store.getState, dispatch);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = doc.filename || doc.title;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      setNotice({ tone: 'danger', text: errorMessage(caught) });
    }
  };

  return (
    <div className="page" data-testid="document-page" data-document-id={doc.id}>
      <div>
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/">Documents</Link> / {doc.title}
        </nav>
        <PageHeader
          title={doc.title}
          subtitle={
            <span className="row">
              <StatusBadge status={doc.status} />
              <span>{titleCase(doc.document_type)}</span>
              <span className="muted">· v{doc.version}</span>
            </span>
          }
          actions={
            <>
              {doc.version > 0 && (
                <button type="button" className="btn btn-secondary" onClick={() => void download()} data-testid="download-button">
                  <Icon name="download" /> Download
                </button>
              )}
              {roleAtLeast(user?.role, 'MANAGER') && ['EXTRACTION_FAILED', 'VALIDATION_FAILED', 'PENDING_APPROVAL'].includes(doc.status) && (
                <button
                  type="button"
                  className="btn btn-secondary"
                  disabled={rerunState.isLoading}
                  onClick={() =>
                    rerun(doc.id)
                      .unwrap()
                      .then(() => setNotice({ tone: 'success', text: 'Extraction restarted.' }))
                      .catch((caught: unknown) => setNotice({ tone: 'danger', text: errorMessage(caught) }))
                  }
                  data-testid="rerun-button"
                >
                  <Icon name="refresh" /> Re-run extraction
                </button>
              )}
              {canDecide && (
                <>
                  <button type="button" className="btn btn-danger-outline" onClick={() => setDecision('REJECTED')} data-testid="reject-button">
                    Reject
                  </button>
                  <button type="button" className="btn btn-success" onClick={() => setDecision('APPROVED')} data-testid="approve-button">
                    <Icon name="check" /> Approve
                  </button>
                </>
              )}
            </>
          }
        />
      </div>
      {notice && (
        <Alert tone={notice.tone} testId="document-notice">
          {notice.text}
        </Alert>
      )}
      {doc.failure_reason && (
        <Alert tone="danger" testId="failure-reason">
          Extraction failed ({doc.failure_reason.code}): {doc.failure_reason.message}
        </Alert>
      )}
      {doc.status === 'REJECTED' && doc.review_notes && (
        <Alert tone="danger" testId="rejection-reason">
          Rejected: {doc.review_notes}
        </Alert>
      )}
      <div className="grid-2">
        <Card title="Preview" testId="preview-card" actions={highlight ? <button type="button" className="btn btn-ghost btn-small" onClick={() => { setHighlight(null); setHighlightKey(null); }} data-testid="clear-highlight">Clear highlight</button> : undefined}>
          <Preview id={doc.id} version={doc.version} contentType={doc.content_type} highlight={highlight} />
        </Card>
        <ExtractionTabs
          doc={doc}
          highlightKey={highlightKey}
          onSelect={(next, key) => {
            setHighlight(key ? next : null);
            setHighlightKey(key);
          }}
        />
      </div>
      <WorkflowCard doc={doc} />
      {decision && (
        <DecisionDialog
          decision={decision}
          subject={doc.title}
          onClose={() => setDecision(null)}
          onConfirm={async (text) => {
            if (decision === 'APPROVED') await approve({ id: doc.id, notes: text }).unwrap();
            else await reject({ id: doc.id, reason: text }).unwrap();
            setNotice({ tone: 'success', text: decision === 'APPROVED' ? 'Document approved.' : 'Document rejected.' });
          }}
        />
      )}
    </div>
  );
}
