import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { DocumentStatus } from '../api/types';
import { errorMessage } from '../api/errors';
import { Icon, type IconName } from './Icon';
import { STATUS_LABELS, STATUS_TONES, titleCase, type Tone } from './format';

export function Badge({ tone = 'neutral', children, testId }: { tone?: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

export function StatusBadge({ status, pulse = false }: { status: DocumentStatus | string; pulse?: boolean }) {
  const known = status in STATUS_LABELS;
  const tone = known ? STATUS_TONES[status as DocumentStatus] : 'neutral';
  const label = known ? STATUS_LABELS[status as DocumentStatus] : titleCase(status);
  return (
    <span className={`badge badge-${tone}${pulse ? ' badge-pulse' : ''}`} data-testid="status-badge" data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" data-testid="loading-state">
      <Spinner label={label} />
      <p>{label}</p>
    </div>
  );
}

export function SkeletonRows({ rows = 5, columns = 5 }: { rows?: number; columns?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, row) => (
        <tr key={row} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: columns }, (_, column) => (
            <td key={column}>
              <span className="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function ErrorState({ error, onRetry, title = 'Something went wrong' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <Icon name="warning" size={28} />
      <h3>{title}</h3>
      <p data-testid="error-detail">{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn btn-secondary" onClick={onRetry} data-testid="retry-button">
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ icon = 'inbox', title, children, action }: { icon?: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <span className="state-icon">
        <Icon name={icon} size={28} />
      </span>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function Alert({ tone = 'danger', children, testId = 'alert' }: { tone?: 'danger' | 'success' | 'info' | 'warning'; children: ReactNode; testId?: string }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'danger' ? 'alert' : 'status'} data-testid={testId}>
      {children}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, actions, children, className = '', testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`card ${className}`} data-testid={testId}>
      {(title || actions) && (
        <div className="card-header">
          {title && <h2>{title}</h2>}
          {actions}
        </div>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function Pagination({ page, pageSize, count, onPage }: { page: number; pageSize: number; count: number; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const first = count === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(count, page * pageSize);
  return (
    <nav className="pagination" aria-label="Pagination">
      <span className="pagination-info" data-testid="pagination-info">
        {first}–{last} of {count}
      </span>
      <div className="pagination-buttons">
        <button type="button" className="btn btn-ghost btn-icon" onClick={() => onPage(page - 1)} disabled={page <= 1} aria-label="Previous page" data-testid="page-prev">
          <Icon name="chevronLeft" />
        </button>
        <span aria-live="polite">
          Page {page} of {pages}
        </span>
        <button type="button" className="btn btn-ghost btn-icon" onClick={() => onPage(page + 1)} disabled={page >= pages} aria-label="Next page" data-testid="page-next">
          <Icon name="chevronRight" />
        </button>
      </div>
    </nav>
  );
}

/** A modal dialog: focus moves in, Escape closes, focus returns to the opener. */
export function Modal({ title, onClose, children, footer, testId = 'modal' }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; testId?: string }) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const node = ref.current;
    const focusable = node?.querySelector<HTMLElement>('textarea, input, select, button:not([data-close])');
    (focusable ?? node)?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
      if (event.key === 'Tab' && node) {
        const items = Array.from(node.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')).filter((el) => !el.hasAttribute('disabled'));
        if (items.length === 0) return;
        const firstItem = items[0]!;
        const lastItem = items[items.length - 1]!;
        if (event.shiftKey && document.activeElement === firstItem) {
          event.preventDefault();
          lastItem.focus();
        } else if (!event.shiftKey && document.activeElement === lastItem) {
          event.preventDefault();
          firstItem.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1} data-testid={testId}>
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close" data-close data-testid="modal-close">
            <Icon name="close" />
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </div>
  );
}

export function Field({ label, error, hint, children, htmlFor }: { label: string; error?: string | undefined; hint?: ReactNode; children: ReactNode; htmlFor: string }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && !error && <p className="field-hint">{hint}</p>}
      {error && (
        <p className="field-error" id={`${htmlFor}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function StatTile({ label, value, hint, tone, testId, onClick, active }: { label: string; value: ReactNode; hint?: ReactNode; tone?: Tone; testId?: string; onClick?: () => void; active?: boolean }) {
  const body = (
    <>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {hint && <span className="stat-hint">{hint}</span>}
    </>
  );
  const className = `stat stat-${tone ?? 'neutral'}${active ? ' stat-active' : ''}`;
  return onClick ? (
    <button type="button" className={className} onClick={onClick} data-testid={testId} aria-pressed={active}>
      {body}
    </button>
  ) : (
    <div className={className} data-testid={testId}>
      {body}
    </div>
  );
}
