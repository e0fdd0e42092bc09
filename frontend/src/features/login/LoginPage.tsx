import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { signedIn } from '../../auth/authSlice';
import { login, SessionError } from '../../auth/session';
import { Icon } from '../../components/Icon';
import { Alert, Spinner } from '../../components/ui';

export default function LoginPage() {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const location = useLocation();
  const auth = useAppSelector((state) => state.auth);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [throttled, setThrottled] = useState(false);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (auth.status === 'authenticated') return <Navigate to={from} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your e-mail address and password.');
      return;
    }
    setBusy(true);
    setError(null);
    setThrottled(false);
    try {
      const answer = await login(email.trim(), password);
      dispatch(signedIn(answer));
      navigate(from, { replace: true });
    } catch (caught) {
      const status = caught instanceof SessionError ? caught.status : 0;
      setThrottled(status === 429);
      setError(caught instanceof Error ? caught.message : 'Sign-in failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <div className="login-panel">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true">
            <Icon name="workflow" size={22} />
          </span>
          <span>DocuFlow</span>
        </div>
        <h1>Sign in</h1>
        <p className="login-lead">Upload, review and approve documents with your team.</p>
        {auth.notice && !error && (
          <Alert tone="info" testId="login-notice">
            {auth.notice}
          </Alert>
        )}
        {error && (
          <Alert tone={throttled ? 'warning' : 'danger'} testId="login-error">
            {throttled && <strong>Too many attempts. </strong>}
            {error}
          </Alert>
        )}
        <form onSubmit={submit} noValidate aria-label="Sign in">
          <div className="field">
            <label htmlFor="login-email">E-mail</label>
            <input id="login-email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} data-testid="login-email" required autoFocus />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} data-testid="login-password" required />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="login-submit">
            {busy ? <Spinner label="Signing in" /> : null}
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
      <div className="login-aside" aria-hidden="true">
        <div className="login-aside-inner">
          <h2>From upload to archive, in one flow.</h2>
          <ul>
            <li>
              <Icon name="upload" /> Drag in invoices, contracts and receipts
            </li>
            <li>
              <Icon name="search" /> Fields and tables extracted with confidence scores
            </li>
            <li>
              <Icon name="workflow" /> Every step of the workflow, live
            </li>
            <li>
              <Icon name="review" /> Approve or reject with a full audit trail
            </li>
          </ul>
        </div>
      </div>
    </div>
  );
}
