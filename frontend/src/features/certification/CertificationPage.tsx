import { useState, type FormEvent } from 'react';
import { useCancelCertificationMutation, useDecideTaskMutation, useGetCertificationsQuery, useGetInboxQuery, useSubmitCertificationMutation } from '../../api/api';
import { errorMessage, fieldErrors } from '../../api/errors';
import { roleAtLeast, type CertificationRequest, type HumanTask } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { formatDateTime, titleCase, type Tone } from '../../components/format';
import { Alert, Badge, Card, EmptyState, ErrorState, Field, LoadingState, Modal, PageHeader, Spinner } from '../../components/ui';
import { validateCertification, type CertificationForm } from './validate';

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });

const TONES: Record<string, Tone> = { PENDING: 'warning', APPROVED: 'success', REJECTED: 'danger', CANCELLED: 'muted', FAILED: 'danger' };

function RequestForm() {
  const [form, setForm] = useState<CertificationForm>({ name: '', course: '', cost: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof CertificationForm, string>>>({});
  const [submit, state] = useSubmitCertificationMutation();
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateCertification(form);
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length) return;
    try {
      await submit({ name: form.name.trim(), course: form.course.trim(), cost: form.cost.trim() }).unwrap();
      setMessage({ tone: 'success', text: 'Request sent. Your manager has been notified.' });
      setForm({ name: '', course: '', cost: '' });
    } catch (caught) {
      setErrors(fieldErrors(caught) as typeof errors);
      setMessage({ tone: 'danger', text: errorMessage(caught) });
    }
  };
  const set = (key: keyof CertificationForm) => (event: { target: { value: string } }) => {
    setForm((current) => ({ ...current, [key]: event.target.value }));
    setErrors((current) => ({ ...current, [key]: undefined }));
  };

  return (
    <Card title="Request a certification" testId="certification-form-card">
      {message && (
        <Alert tone={message.tone} testId={message.tone === 'success' ? 'certification-success' : 'certification-error'}>
          {message.text}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate aria-label="Certification request">
        <Field label="Employee name" htmlFor="cert-name" error={errors.name}>
          <input id="cert-name" value={form.name} onChange={set('name')} aria-invalid={Boolean(errors.name)} aria-describedby={errors.name ? 'cert-name-error' : undefined} data-testid="cert-name" autoComplete="name" />
        </Field>
        <Field label="Course or certification" htmlFor="cert-course" error={errors.course}>
          <input id="cert-course" value={form.course} onChange={set('course')} aria-invalid={Boolean(errors.course)} aria-describedby={errors.course ? 'cert-course-error' : undefined} data-testid="cert-course" />
        </Field>
        <Field label="Cost (USD)" htmlFor="cert-cost" error={errors.cost} hint="Requests above your company’s limit also need an administrator’s approval.">
          <input id="cert-cost" inputMode="decimal" value={form.cost} onChange={set('cost')} aria-invalid={Boolean(errors.cost)} aria-describedby={errors.cost ? 'cert-cost-error' : undefined} data-testid="cert-cost" placeholder="0.00" />
        </Field>
        <button type="submit" className="btn btn-primary" disabled={state.isLoading} data-testid="cert-submit">
          {state.isLoading && <Spinner label="Sending" />}
          Submit request
        </button>
      </form>
    </Card>
  );
}

function RequestList({ mine }: { mine: string }) {
  const { data, error, isLoading, refetch } = useGetCertificationsQuery({});
  const [cancel] = useCancelCertificationMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const rows = data?.results ?? [];
  return (
    <Card title="Requests" testId="certification-list" className="card-flush">
      {problem && <Alert tone="danger">{problem}</Alert>}
      {isLoading ? (
        <LoadingState />
      ) : error ? (
        <ErrorState error={error} onRetry={() => void refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState icon="certificate" title="No requests yet">Requests you submit appear here with their status.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-responsive" data-testid="certification-table">
            <thead>
              <tr>
                <th scope="col">Course</th>
                <th scope="col">Employee</th>
                <th scope="col">Cost</th>
                <th scope="col">Status</th>
                <th scope="col">Requested</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((request: CertificationRequest) => (
                <tr key={request.requestId} data-testid="certification-row" data-status={request.status}>
                  <td data-label="Course">
                    <strong>{request.course}</strong>
                    {request.requester !== mine && <div className="small muted">{request.requester}</div>}
                  </td>
                  <td data-label="Employee">{request.name}</td>
                  <td data-label="Cost">{money.format(request.cost)}</td>
                  <td data-label="Status">
                    <Badge tone={TONES[request.status] ?? 'neutral'} testId="certification-status">
                      {titleCase(request.status)}
                    </Badge>
                    {request.decidedBy && <div className="small muted">by {request.decidedBy}</div>}
                  </td>
                  <td data-label="Requested">{formatDateTime(request.requestDate)}</td>
                  <td data-label="">
                    {request.status === 'PENDING' && request.requester === mine && (
                      <button type="button" className="btn btn-ghost btn-small" onClick={() => cancel(request.requestId).unwrap().then(() => setProblem(null)).catch((caught: unknown) => setProblem(errorMessage(caught)))} data-testid="cert-cancel">
                        Cancel
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function ManagerInbox() {
  const { data, error, isLoading, refetch } = useGetInboxQuery({ subject_type: 'certification' });
  const [decide] = useDecideTaskMutation();
  const [pending, setPending] = useState<{ task: HumanTask; decision: 'APPROVED' | 'REJECTED' } | null>(null);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const tasks = data?.results ?? [];

  const confirm = async () => {
    if (!pending) return;
    if (pending.decision === 'REJECTED' && !text.trim()) {
      setFieldError('A reason is required to reject.');
      return;
    }
    setBusy(true);
    try {
      await decide({ id: pending.task.id, decision: pending.decision, ...(pending.decision === 'APPROVED' ? { notes: text.trim() } : { reason: text.trim() }) }).unwrap();
      setPending(null);
      setProblem(null);
    } catch (caught) {
      setProblem(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Waiting for your approval" testId="certification-inbox" className="card-flush">
      {isLoading ? (
        <LoadingState />
      ) : error ? (
        <ErrorState error={error} onRetry={() => void refetch()} />
      ) : tasks.length === 0 ? (
        <EmptyState icon="review" title="No requests to approve">New certification requests from your team appear here.</EmptyState>
      ) : (
        <ul className="task-list">
          {tasks.map((task) => {
            const lines = Array.isArray(task.details.lines) ? (task.details.lines as unknown[]).map(String) : [];
            return (
              <li key={task.id} className="task" data-testid="certification-task">
                <div>
                  <div className="task-title">{task.title}</div>
                  <div className="task-meta">
                    {lines.length ? lines.map((line) => <span key={line}>{line}</span>) : null}
                    {task.requested_by && <span>from {task.requested_by.email}</span>}
                    <span>{formatDateTime(task.created_at)}</span>
                    {task.stage !== null && <span>Stage {String(task.stage)}</span>}
                  </div>
                </div>
                <div className="task-actions">
                  <button type="button" className="btn btn-danger-outline" disabled={!task.can_decide} onClick={() => { setText(''); setFieldError(undefined); setProblem(null); setPending({ task, decision: 'REJECTED' }); }} data-testid="cert-task-reject">
                    Reject
                  </button>
                  <button type="button" className="btn btn-success" disabled={!task.can_decide} onClick={() => { setText(''); setFieldError(undefined); setProblem(null); setPending({ task, decision: 'APPROVED' }); }} data-testid="cert-task-approve">
                    Approve
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {pending && (
        <Modal
          title={pending.decision === 'APPROVED' ? 'Approve request' : 'Reject request'}
          onClose={() => setPending(null)}
          testId="cert-decision-dialog"
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => setPending(null)}>
                Cancel
              </button>
              <button type="button" className={`btn ${pending.decision === 'APPROVED' ? 'btn-success' : 'btn-danger'}`} onClick={() => void confirm()} disabled={busy} data-testid="cert-decision-confirm">
                {busy && <Spinner label="Sending" />}
                {pending.decision === 'APPROVED' ? 'Confirm approval' : 'Confirm rejection'}
              </button>
            </>
          }
        >
          <p>
            <strong>{pending.task.title}</strong>
          </p>
          {problem && <Alert tone="danger" testId="cert-decision-error">{problem}</Alert>}
          <Field label={pending.decision === 'APPROVED' ? 'Notes (optional)' : 'Reason (required)'} htmlFor="cert-decision-text" error={fieldError}>
            <textarea id="cert-decision-text" value={text} onChange={(event) => { setText(event.target.value); setFieldError(undefined); }} data-testid="cert-decision-text" />
          </Field>
        </Modal>
      )}
    </Card>
  );
}

export default function CertificationPage() {
  const user = useAppSelector((state) => state.auth.user);
  const manager = roleAtLeast(user?.role, 'MANAGER');
  return (
    <div className="page" data-testid="certification-page">
      <PageHeader title="Certification" subtitle="Ask for a course or certification to be paid for, and follow its approval." />
      <div className="grid-2">
        <RequestForm />
        {manager ? <ManagerInbox /> : <RequestList mine={user?.email ?? ''} />}
      </div>
      {manager && <RequestList mine={user?.email ?? ''} />}
    </div>
  );
}
