import type { Extraction } from '../../api/types';
import { formatValue, titleCase } from '../../components/format';
import { Alert, EmptyState } from '../../components/ui';
import type { Highlight } from './Preview';
import { sortedFields } from './fields';

export const DEFAULT_THRESHOLD = 80;

export function Confidence({ value, low }: { value: number | null | undefined; low: boolean }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return (
    <span className={`confidence${low ? ' confidence-low' : ''}`}>
      <span className="confidence-bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />
      </span>
      {value.toFixed(0)}%
    </span>
  );
}

export function ExtractionPanel({ extraction, selected, onSelect }: { extraction: Extraction; selected: string | null; onSelect: (highlight: Highlight | null, key: string | null) => void }) {
  const threshold = extraction.validation?.threshold ?? DEFAULT_THRESHOLD;
  const fields = sortedFields(extraction.key_values ?? {});
  const validation = extraction.validation;
  const lowNames = new Set(validation?.low_confidence_fields ?? []);
  const missing = validation?.missing_fields ?? [];
  const invalid = (validation?.invalid_fields ?? []).map((item) => (typeof item === 'string' ? item : item.field));

  if (extraction.status === 'FAILED') {
    return (
      <Alert tone="danger" testId="extraction-failed">
        Extraction failed: {extraction.failure_reason?.message ?? 'unknown reason'}
      </Alert>
    );
  }

  return (
    <div data-testid="extraction-panel">
      {validation && (
        <Alert tone={validation.passed ? 'success' : 'warning'} testId="validation-summary">
          {validation.passed ? 'Validation passed.' : 'Validation did not pass.'} Average confidence {extraction.confidence?.toFixed(1) ?? '—'}%, threshold {threshold}%.
          {missing.length > 0 && <> Missing: {missing.join(', ')}.</>}
          {invalid.length > 0 && <> Invalid: {invalid.join(', ')}.</>}
        </Alert>
      )}
      {fields.length === 0 ? (
        <EmptyState icon="search" title="No fields found">
          No key–value pairs were recognised in this document.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table fields-table" data-testid="fields-table">
            <caption className="sr-only">Extracted fields. Select a field to show where it is on the page.</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
                <th scope="col">Confidence</th>
                <th scope="col">Page</th>
              </tr>
            </thead>
            <tbody>
              {fields.map(([key, field]) => {
                const low = field.confidence < threshold || lowNames.has(key);
                const box = field.bbox ?? field.key_bbox;
                return (
                  <tr key={key} className={`${low ? 'low' : ''}${selected === key ? ' selected' : ''}`} data-testid="field-row" data-field={key} data-low-confidence={low}>
                    <td>
                      <button
                        type="button"
                        className="field-row-button"
                        onClick={() => onSelect(box ? { page: field.page, bbox: box, label: key } : null, selected === key ? null : key)}
                        aria-pressed={selected === key}
                        aria-label={`${titleCase(key)}${box ? ': show on page' : ''}`}
                        data-testid={`field-${key}`}
                      >
                        {titleCase(key)}
                      </button>
                      {!field.valid && <span className="badge badge-danger">invalid</span>}
                    </td>
                    <td className="value">
                      {formatValue(field.value)}
                      {field.currency ? ` ${field.currency}` : ''}
                    </td>
                    <td>
                      <Confidence value={field.confidence} low={low} />
                      {low && <span className="sr-only"> (below the {threshold}% threshold)</span>}
                    </td>
                    <td>{field.page}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function TablesPanel({ extraction }: { extraction: Extraction }) {
  if (!extraction.tables?.length) return <EmptyState icon="file" title="No tables found">No tables were recognised in this document.</EmptyState>;
  return (
    <div data-testid="tables-panel">
      {extraction.tables.map((table, index) => {
        const rowBase = table.cells.length ? Math.min(...table.cells.map((cell) => cell.row)) : 0;
        const columnBase = table.cells.length ? Math.min(...table.cells.map((cell) => cell.column)) : 0;
        const rows = Math.max(table.rows, ...table.cells.map((cell) => cell.row - rowBase + 1));
        const columns = Math.max(table.columns, ...table.cells.map((cell) => cell.column - columnBase + 1));
        const grid: (string | null)[][] = Array.from({ length: rows }, () => Array.from({ length: columns }, () => null));
        for (const cell of table.cells) grid[cell.row - rowBase]![cell.column - columnBase] = cell.text;
        return (
          <div key={table.id} className="extracted-table">
            <h3 className="small muted">
              Table {index + 1} · page {table.page} · {table.rows}×{table.columns}
            </h3>
            <table>
              <tbody>
                {grid.map((row, r) => (
                  <tr key={r}>
                    {row.map((text, c) => (r === 0 ? <th key={c} scope="col">{text ?? ''}</th> : <td key={c}>{text ?? ''}</td>))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
}
