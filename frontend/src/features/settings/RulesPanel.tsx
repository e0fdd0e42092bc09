import { useMemo, useState } from 'react';
import { useDeleteRuleSetMutation, useGetEffectiveRulesQuery, useGetRuleSetsQuery, useSaveRuleSetMutation } from '../../api/api';
import { errorMessage } from '../../api/errors';
import { DOCUMENT_TYPES, type RuleSet } from '../../api/types';
import { formatDateTime, titleCase } from '../../components/format';
import { Alert, Card, ErrorState, Field, LoadingState, Modal, Spinner } from '../../components/ui';

function pretty(value: unknown): string {
  return JSON.stringify(value ?? {}, null, 2);
}

function RuleEditor({ type, existing }: { type: string; existing: RuleSet | undefined }) {
  const effective = useGetEffectiveRulesQuery(type);
  const [threshold, setThreshold] = useState(existing?.confidence_threshold?.toString() ?? '');
  const [rules, setRules] = useState(pretty(existing?.rules));
  const [settings, setSettings] = useState(pretty(existing?.settings));
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [save, saving] = useSaveRuleSetMutation();
  const [remove, removing] = useDeleteRuleSetMutation();
  const jsonError = useMemo(() => {
    for (const [name, text] of [['Rules', rules], ['Settings', settings]] as const) {
      try {
        const value: unknown = JSON.parse(text);
        if (!value || typeof value !== 'object' || Array.isArray(value)) return `${name} must be a JSON object.`;
      } catch (caught) {
        return `${name}: ${caught instanceof Error ? caught.message : 'not valid JSON'}`;
      }
    }
    return null;
  }, [rules, settings]);
  const thresholdError = threshold.trim() !== '' && (Number.isNaN(Number(threshold)) || Number(threshold) < 0 || Number(threshold) > 100) ? 'A number from 0 to 100.' : undefined;

  const submit = async () => {
    if (jsonError || thresholdError) return;
    setMessage(null);
    try {
      await save({
        ...(existing ? { id: existing.id } : {}),
        document_type: type,
        confidence_threshold: threshold.trim() === '' ? null : Number(threshold),
        rules: JSON.parse(rules) as unknown,
        settings: JSON.parse(settings) as unknown,
      }).unwrap();
      setMessage({ tone: 'success', text: 'Rules saved. They apply to the next extraction.' });
    } catch (caught) {
      setMessage({ tone: 'danger', text: errorMessage(caught) });
    }
  };

  return (
    <div className="grid-2">
      <Card
        title={`${titleCase(type)} rules`}
        testId="rules-editor"
        actions={
          <div className="row">
            {existing && (
              <button type="button" className="btn btn-danger-outline" onClick={() => setConfirmDelete(true)} data-testid="rules-delete">
                Reset to defaults
              </button>
            )}
            <button type="button" className="btn btn-primary" onClick={() => void submit()} disabled={saving.isLoading || Boolean(jsonError) || Boolean(thresholdError)} data-testid="rules-save">
              {saving.isLoading && <Spinner label="Saving" />}
              Save
            </button>
          </div>
        }
      >
        <p className="small muted" style={{ marginBottom: 12 }}>
          {existing ? `Customised, updated ${formatDateTime(existing.updated_at)}.` : 'Using the shipped defaults. Saving creates this workspace’s own rules.'} Rules are merged over the defaults: objects merge, lists replace.
        </p>
        {message && (
          <Alert tone={message.tone} testId="rules-message">
            {message.text}
          </Alert>
        )}
        {jsonError && <Alert tone="warning">{jsonError}</Alert>}
        <Field label="Confidence threshold (%)" htmlFor="rules-threshold" error={thresholdError} hint="Fields below it are flagged for review. Empty: the default.">
          <input id="rules-threshold" inputMode="decimal" value={threshold} onChange={(event) => setThreshold(event.target.value)} data-testid="rules-threshold" />
        </Field>
        <Field label="Rules (JSON)" htmlFor="rules-json">
          <textarea id="rules-json" className="code-editor" style={{ minHeight: 220 }} spellCheck={false} value={rules} onChange={(event) => setRules(event.target.value)} data-testid="rules-json" />
        </Field>
        <Field label="Settings (JSON)" htmlFor="rules-settings">
          <textarea id="rules-settings" className="code-editor" style={{ minHeight: 100 }} spellCheck={false} value={settings} onChange={(event) => setSettings(event.target.value)} data-testid="rules-settings" />
        </Field>
      </Card>
      <Card title="In effect" testId="rules-effective">
        {effective.isLoading ? (
          <LoadingState />
        ) : effective.error ? (
          <ErrorState error={effective.error} onRetry={() => void effective.refetch()} />
        ) : effective.data ? (
          <>
            <p className="small muted" style={{ marginBottom: 8 }}>
              Threshold {effective.data.confidence_threshold}% · {effective.data.customized ? 'customised' : 'defaults'}
            </p>
            <pre className="code-editor" style={{ minHeight: 0, maxHeight: 520, overflow: 'auto', background: 'var(--surface-2)', padding: 12, borderRadius: 8 }} data-testid="rules-effective-json">
              {pretty(effective.data.rules)}
            </pre>
          </>
        ) : null}
      </Card>
      {confirmDelete && existing && (
        <Modal
          title="Reset to the defaults?"
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-danger"
                disabled={removing.isLoading}
                onClick={() =>
                  remove(existing.id)
                    .unwrap()
                    .then(() => setMessage({ tone: 'success', text: 'Rules reset to the defaults.' }))
                    .catch((caught: unknown) => setMessage({ tone: 'danger', text: errorMessage(caught) }))
                    .finally(() => setConfirmDelete(false))
                }
                data-testid="rules-delete-confirm"
              >
                Reset
              </button>
            </>
          }
        >
          <p>This workspace’s {titleCase(type).toLowerCase()} rules are deleted; the shipped defaults apply again.</p>
        </Modal>
      )}
    </div>
  );
}

export function RulesPanel() {
  const { data, error, isLoading, refetch } = useGetRuleSetsQuery();
  const [type, setType] = useState<string>('INVOICE');
  if (isLoading) return <LoadingState />;
  if (error) return <ErrorState error={error} onRetry={() => void refetch()} />;
  const sets = data?.results ?? [];
  const existing = sets.find((set) => set.document_type === type);
  return (
    <div className="stack">
      <div className="row">
        <label htmlFor="rules-type" className="small muted">
          Document type
        </label>
        <select id="rules-type" value={type} onChange={(event) => setType(event.target.value)} data-testid="rules-type">
          {DOCUMENT_TYPES.map((item) => (
            <option key={item} value={item}>
              {titleCase(item)}
              {sets.some((set) => set.document_type === item) ? ' — customised' : ''}
            </option>
          ))}
        </select>
      </div>
      <RuleEditor key={`${type}-${existing?.updated_at ?? 'none'}`} type={type} existing={existing} />
    </div>
  );
}
