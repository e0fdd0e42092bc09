import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { Alert, Field, Modal, Spinner } from '../../components/ui';

export type Decision = 'APPROVED' | 'REJECTED';

/**
 * The confirmation step of a decision: notes are optional to approve, a reason is
 * required to reject. `onConfirm` performs the call; its error is shown as is.
 */
export function DecisionDialog({ decision, subject, onConfirm, onClose }: { decision: Decision; subject: string; onConfirm: (text: string) => Promise<unknown>; onClose: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const approving = decision === 'APPROVED';

  const confirm = async () => {
    if (!approving && !text.trim()) {
      setFieldError('A reason is required to reject.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onConfirm(text.trim());
      onClose();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={approving ? 'Approve document' : 'Reject document'}
      onClose={onClose}
      testId="decision-dialog"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} data-testid="decision-cancel">
            Cancel
          </button>
          <button type="button" className={`btn ${approving ? 'btn-success' : 'btn-danger'}`} onClick={() => void confirm()} disabled={busy} data-testid="decision-confirm">
            {busy && <Spinner label="Sending" />}
            {approving ? 'Confirm approval' : 'Confirm rejection'}
          </button>
        </>
      }
    >
      <p>
        {approving ? 'You are approving ' : 'You are rejecting '}
        <strong>{subject}</strong>. {approving ? 'The document moves on to archiving.' : 'The uploader will see your reason.'}
      </p>
      {error && (
        <Alert tone="danger" testId="decision-error">
          {error}
        </Alert>
      )}
      <Field label={approving ? 'Notes (optional)' : 'Reason (required)'} htmlFor="decision-text" error={fieldError}>
        <textarea
          id="decision-text"
          value={text}
          maxLength={4000}
          onChange={(event) => {
            setText(event.target.value);
            setFieldError(undefined);
          }}
          aria-required={!approving}
          aria-invalid={Boolean(fieldError)}
          aria-describedby={fieldError ? 'decision-text-error' : undefined}
          placeholder={approving ? 'Anything the team should know' : 'What needs to change?'}
          data-testid="decision-text"
        />
      </Field>
    </Modal>
  );
}
