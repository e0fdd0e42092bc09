import { useState, type FormEvent } from 'react';
import { useCreateMemberMutation, useGetMembersQuery, useGetTenantQuery, useUpdateMemberMutation } from '../../api/api';
import { errorMessage, fieldErrors } from '../../api/errors';
import { ROLES, roleAtLeast, type Member, type Role } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { formatDate, titleCase } from '../../components/format';
import { Alert, Badge, Card, EmptyState, ErrorState, Field, LoadingState, Spinner } from '../../components/ui';

function AddMember({ assignable }: { assignable: Role[] }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('UPLOADER');
  const [create, state] = useCreateMemberMutation();
  const [result, setResult] = useState<{ tone: 'success' | 'danger'; text: string; password?: string | null } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setErrors({ email: 'Enter an e-mail address.' });
      return;
    }
    setErrors({});
    try {
      const member = await create({ email: email.trim(), role }).unwrap();
      setResult({ tone: 'success', text: `${member.email} was added as ${titleCase(member.role)}.`, password: member.initial_password ?? null });
      setEmail('');
    } catch (caught) {
      setErrors(fieldErrors(caught));
      setResult({ tone: 'danger', text: errorMessage(caught) });
    }
  };

  return (
    <Card title="Add a member" testId="add-member">
      {result && (
        <Alert tone={result.tone} testId="add-member-result">
          {result.text}
          {result.password && (
            <>
              {' '}
              Their initial password, shown once: <code data-testid="initial-password">{result.password}</code>
            </>
          )}
        </Alert>
      )}
      <form onSubmit={submit} noValidate className="row" aria-label="Add a member" style={{ alignItems: 'flex-start' }}>
        <div style={{ flex: '2 1 220px' }}>
          <Field label="E-mail" htmlFor="member-email" error={errors.email}>
            <input id="member-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} data-testid="member-email" />
          </Field>
        </div>
        <div style={{ flex: '1 1 140px' }}>
          <Field label="Role" htmlFor="member-role" error={errors.role}>
            <select id="member-role" value={role} onChange={(event) => setRole(event.target.value as Role)} data-testid="member-role">
              {assignable.map((item) => (
                <option key={item} value={item}>
                  {titleCase(item)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <button type="submit" className="btn btn-primary" style={{ marginTop: 27 }} disabled={state.isLoading} data-testid="member-add">
          {state.isLoading && <Spinner label="Adding" />}
          Add member
        </button>
      </form>
    </Card>
  );
}

function MemberRow({ member, me, assignable, myRole }: { member: Member; me: string; assignable: Role[]; myRole: Role | null }) {
  const [update, state] = useUpdateMemberMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const self = member.id === me;
  const locked = self || (member.role === 'ADMIN' && myRole !== 'ADMIN');
  const change = (changes: { role?: Role; is_active?: boolean }) => {
    setProblem(null);
    update({ id: member.id, ...changes })
      .unwrap()
      .catch((caught: unknown) => setProblem(errorMessage(caught)));
  };
  return (
    <tr data-testid="member-row" data-email={member.email}>
      <td data-label="Member">
        <strong>{member.email}</strong>
        {self && <span className="muted small"> (you)</span>}
        {problem && (
          <div className="field-error" role="alert" data-testid="member-error">
            {problem}
          </div>
        )}
      </td>
      <td data-label="Role">
        <label className="sr-only" htmlFor={`role-${member.id}`}>
          Role of {member.email}
        </label>
        <select id={`role-${member.id}`} value={member.role} disabled={locked || state.isLoading} onChange={(event) => change({ role: event.target.value as Role })} data-testid="member-role-select">
          {(assignable.includes(member.role) ? assignable : [member.role, ...assignable]).map((role) => (
            <option key={role} value={role}>
              {titleCase(role)}
            </option>
          ))}
        </select>
      </td>
      <td data-label="Status">{member.is_active ? <Badge tone="success">Active</Badge> : <Badge tone="muted">Deactivated</Badge>}</td>
      <td data-label="Joined">{formatDate(member.joined_at)}</td>
      <td data-label="">
        {!locked && (
          <button type="button" className={`btn btn-small ${member.is_active ? 'btn-danger-outline' : 'btn-secondary'}`} onClick={() => change({ is_active: !member.is_active })} disabled={state.isLoading} data-testid="member-toggle-active" aria-label={`${member.is_active ? 'Deactivate' : 'Reactivate'} ${member.email}`}>
            {member.is_active ? 'Deactivate' : 'Reactivate'}
          </button>
        )}
      </td>
    </tr>
  );
}

export function MembersPanel() {
  const members = useGetMembersQuery();
  const tenant = useGetTenantQuery();
  const user = useAppSelector((state) => state.auth.user);
  const myRole = user?.role ?? null;
  const assignable = ROLES.filter((role) => role !== 'ADMIN' || myRole === 'ADMIN').filter((role) => roleAtLeast(myRole, role));
  return (
    <div className="stack">
      {tenant.data && (
        <div className="kpi-grid">
          <div className="stat">
            <span className="stat-label">Workspace</span>
            <span className="stat-value" style={{ fontSize: '1.1rem' }}>
              {tenant.data.name}
            </span>
            <span className="stat-hint">{tenant.data.tenant_id}</span>
          </div>
          <div className="stat">
            <span className="stat-label">Plan</span>
            <span className="stat-value" style={{ fontSize: '1.1rem' }}>
              {titleCase(tenant.data.plan)}
            </span>
          </div>
          <div className="stat">
            <span className="stat-label">Documents</span>
            <span className="stat-value" style={{ fontSize: '1.1rem' }}>
              {tenant.data.documents_used} / {tenant.data.documents_limit}
            </span>
          </div>
          <div className="stat">
            <span className="stat-label">Members</span>
            <span className="stat-value" style={{ fontSize: '1.1rem' }}>
              {tenant.data.members_count}
            </span>
          </div>
        </div>
      )}
      <AddMember assignable={assignable} />
      <Card title="Members and roles" testId="members-card" className="card-flush">
        {members.isLoading ? (
          <LoadingState />
        ) : members.error ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : !members.data?.results.length ? (
          <EmptyState title="No members" />
        ) : (
          <div className="table-wrap">
            <table className="table table-responsive" data-testid="members-table">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.data.results.map((member) => (
                  <MemberRow key={member.id} member={member} me={user?.id ?? ''} assignable={assignable} myRole={myRole} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
