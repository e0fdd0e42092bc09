import { useState } from 'react';
import { Link } from 'react-router';
import { useApproveDocumentMutation, useGetDocumentsQuery, useGetInboxQuery, useRejectDocumentMutation } from '../../api/api';
import type { HumanTask } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { Icon } from '../../components/Icon';
import { formatDateTime, relativeTime, titleCase } from '../../components/format';
import { Alert, EmptyState, ErrorState, LoadingState, PageHeader, StatusBadge } from '../../components/ui';
import { DecisionDialog, type Decision } from './DecisionDialog';

interface Pending {
  task: HumanTask;
  decision: Decision;
}

export default function ReviewPage() {
  const [view, setView] = useState<'PENDING' | 'ANY'>('PENDING');
  const inbox = useGetInboxQuery({ subject_type: 'document', status: view });
  const pendingDocs = useGetDocumentsQuery({ status: 'PENDING_APPROVAL', page_size: 50, ordering: 'created_at' });
  const [approve] = useApproveDocumentMutation();
  const [reject] = useRejectDocumentMutation();
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const live = useAppSelector((state) => state.live.status);
  const statusOf = (documentId: string) => pendingDocs.data?.results.find((doc) => doc.id === documentId)?.status;

  const tasks = inbox.data?.results ?? [];
  return (
    <div className="page" data-testid="review-page">
      <PageHeader
        title="Review"
        subtitle={live === 'live' ? 'Documents waiting for your decision. This list updates live.' : 'Documents waiting for your decision.'}
        actions={
          <div className="segmented" role="group" aria-label="Which tasks">
            <button type="button" aria-pressed={view === 'PENDING'} onClick={() => setView('PENDING')} data-testid="review-view-pending">
              Waiting
            </button>
            <button type="button" aria-pressed={view === 'ANY'} onClick={() => setView('ANY')} data-testid="review-view-all">
              All
            </button>
          </div>
        }
      />
      {done && (
        <Alert tone="success" testId="review-done">
          {done}
        </Alert>
      )}
      <section className="card" aria-label="Review tasks">
        {inbox.isLoading ? (
          <LoadingState label="Loading your tasks…" />
        ) : inbox.error ? (
          <ErrorState error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : tasks.length === 0 ? (
          <EmptyState icon="review" title={view === 'PENDING' ? 'Nothing to review' : 'No review tasks yet'}>
            {view === 'PENDING' ? 'You are all caught up. New documents appear here as soon as they are ready for approval.' : 'Decided tasks appear here too.'}
          </EmptyState>
        ) : (
          <ul className="task-list" data-testid="task-list">
            {tasks.map((task) => {
              const status = statusOf(task.subject_id);
              const open = task.status === 'PENDING';
              return (
                <li key={task.id} className="task" data-testid="review-task" data-document-id={task.subject_id} data-task-status={task.status}>
                  <div>
                    <Link to={`/documents/${task.subject_id}`} className="task-title" data-testid="review-task-link">
                      {task.title}
                    </Link>
                    <div className="task-meta">
                      {status && <StatusBadge status={status} />}
                      {!open && <span className="badge badge-muted">{titleCase(task.decision ?? task.status)}</span>}
                      <span title={formatDateTime(task.created_at)}>Requested {relativeTime(task.created_at)}</span>
                      {task.requested_by && <span>by {task.requested_by.email}</span>}
                      {task.due_at && <span>Due {formatDateTime(task.due_at)}</span>}
                      {task.stage !== null && task.stage !== '' && <span>Stage {String(task.stage)}</span>}
                      {task.decided_by && <span>Decided by {task.decided_by.email}</span>}
                    </div>
                  </div>
                  {open && (
                    <div className="task-actions">
                      <Link to={`/documents/${task.subject_id}`} className="btn btn-secondary" aria-label={`Open ${task.title}`}>
                        <Icon name="file" size={18} /> Open
                      </Link>
                      <button type="button" className="btn btn-danger-outline" disabled={!task.can_decide} onClick={() => setPending({ task, decision: 'REJECTED' })} data-testid="review-reject" aria-label={`Reject ${task.title}`}>
                        Reject
                      </button>
                      <button type="button" className="btn btn-success" disabled={!task.can_decide} onClick={() => setPending({ task, decision: 'APPROVED' })} data-testid="review-approve" aria-label={`Approve ${task.title}`}>
                        <Icon name="check" size={18} /> Approve
                      </button>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {pending && (
        <DecisionDialog
          decision={pending.decision}
          subject={pending.task.title}
          onClose={() => setPending(null)}
          onConfirm={async (text) => {
            const id = pending.task.subject_id;
            if (pending.decision === 'APPROVED') await approve({ id, notes: text }).unwrap();
            else await reject({ id, reason: text }).unwrap();
            setDone(`${pending.task.title} ${pending.decision === 'APPROVED' ? 'approved' : 'rejected'}.`);
          }}
        />
      )}
    </div>
  );
}
