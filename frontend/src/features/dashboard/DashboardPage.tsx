import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useGetDocumentCountsQuery, useGetDocumentsQuery } from '../../api/api';
import { DOCUMENT_STATUSES, DOCUMENT_TYPES, type DocumentOrdering, type DocumentQuery, type DocumentStatus, type DocumentType } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { Icon } from '../../components/Icon';
import { formatDateTime, relativeTime, STATUS_LABELS, STATUS_TONES, titleCase } from '../../components/format';
import { EmptyState, ErrorState, PageHeader, Pagination, SkeletonRows, StatTile, StatusBadge } from '../../components/ui';
import { useMemberEmails } from '../../components/useMembers';

const PAGE_SIZE = 20;
const ORDERINGS: { value: DocumentOrdering; label: string }[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: 'title', label: 'Title A–Z' },
  { value: '-title', label: 'Title Z–A' },
];
const TILES: DocumentStatus[] = ['PENDING_APPROVAL', 'EXTRACTING', 'APPROVED', 'ARCHIVED', 'REJECTED', 'VALIDATION_FAILED', 'EXTRACTION_FAILED'];

/** The time, refreshed every second: recent live changes are highlighted for a moment. */
function useNow(interval = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [interval]);
  return now;
}

function useDebounced<T>(value: T, delay = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

function SortButton({ field, ordering, onSort, children }: { field: 'title' | 'created_at'; ordering: DocumentOrdering; onSort: (o: DocumentOrdering) => void; children: string }) {
  const active = ordering.replace('-', '') === field;
  const descending = ordering.startsWith('-');
  const next: DocumentOrdering = active && !descending ? (`-${field}` as DocumentOrdering) : field === 'created_at' && !active ? '-created_at' : field;
  return (
    <button type="button" className={`sort-button${active ? ' active' : ''}`} onClick={() => onSort(next)} data-testid={`sort-${field}`} aria-label={`Sort by ${children}`}>
      {children}
      <span aria-hidden="true" className="sort-arrow">
        {active ? (descending ? '↓' : '↑') : '↕'}
      </span>
    </button>
  );
}

export default function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const [searchText, setSearchText] = useState(params.get('search') ?? '');
  const search = useDebounced(searchText.trim());
  const query: DocumentQuery = {
    page: Number(params.get('page') ?? '1') || 1,
    page_size: PAGE_SIZE,
    status: (params.get('status') as DocumentStatus | null) ?? '',
    document_type: (params.get('type') as DocumentType | null) ?? '',
    ordering: (params.get('ordering') as DocumentOrdering | null) ?? '-created_at',
    search,
    created_after: params.get('from') ?? '',
    created_before: params.get('to') ?? '',
  };
  const update = (changes: Record<string, string | number | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, String(value));
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  useEffect(() => {
    if ((params.get('search') ?? '') !== search) update({ search });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const { data, error, isLoading, isFetching, refetch } = useGetDocumentsQuery(query);
  const counts = useGetDocumentCountsQuery();
  const emails = useMemberEmails();
  const recent = useAppSelector((state) => state.live.recent);
  const now = useNow();
  const filtered = Boolean(query.status || query.document_type || query.search || query.created_after || query.created_before);
  const pending = counts.data?.by_status.PENDING_APPROVAL ?? 0;

  const tiles = useMemo(
    () =>
      TILES.map((status) => ({
        status,
        value: counts.data ? counts.data.by_status[status] ?? 0 : '—',
      })),
    [counts.data],
  );

  return (
    <div className="page" data-testid="dashboard-page">
      <PageHeader
        title="Documents"
        subtitle={counts.data ? `${counts.data.total} documents · ${pending} waiting for approval` : 'Everything uploaded to your workspace'}
        actions={
          <Link to="/upload" className="btn btn-primary" data-testid="upload-link">
            <Icon name="upload" /> Upload
          </Link>
        }
      />

      <div className="stat-grid" role="group" aria-label="Documents by status">
        <StatTile label="All documents" value={counts.data?.total ?? '—'} active={!query.status} onClick={() => update({ status: null })} testId="count-ALL" />
        {tiles.map((tile) => (
          <StatTile key={tile.status} label={STATUS_LABELS[tile.status]} value={tile.value} tone={STATUS_TONES[tile.status]} active={query.status === tile.status} onClick={() => update({ status: query.status === tile.status ? null : tile.status })} testId={`count-${tile.status}`} />
        ))}
      </div>

      <section className="card" aria-label="Document list">
        <div className="toolbar" role="search">
          <div className="search-input">
            <Icon name="search" />
            <label htmlFor="doc-search" className="sr-only">
              Search documents
            </label>
            <input id="doc-search" type="search" placeholder="Search titles and file names" value={searchText} onChange={(event) => setSearchText(event.target.value)} data-testid="search-input" />
          </div>
          <label className="sr-only" htmlFor="filter-status">
            Status
          </label>
          <select id="filter-status" value={query.status} onChange={(event) => update({ status: event.target.value })} data-testid="filter-status">
            <option value="">All statuses</option>
            {DOCUMENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="filter-type">
            Type
          </label>
          <select id="filter-type" value={query.document_type} onChange={(event) => update({ type: event.target.value })} data-testid="filter-type">
            <option value="">All types</option>
            {DOCUMENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {titleCase(type)}
              </option>
            ))}
          </select>
          <div className="date-range">
            <label htmlFor="filter-from">From</label>
            <input id="filter-from" type="date" value={query.created_after} onChange={(event) => update({ from: event.target.value })} data-testid="filter-from" />
            <label htmlFor="filter-to">To</label>
            <input id="filter-to" type="date" value={query.created_before} onChange={(event) => update({ to: event.target.value })} data-testid="filter-to" />
          </div>
          <label className="sr-only" htmlFor="ordering">
            Sort
          </label>
          <select id="ordering" value={query.ordering} onChange={(event) => update({ ordering: event.target.value })} data-testid="ordering">
            {ORDERINGS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          {filtered && (
            <button type="button" className="btn btn-ghost" onClick={() => { setSearchText(''); setParams(new URLSearchParams(), { replace: true }); }} data-testid="clear-filters">
              Clear filters
            </button>
          )}
          {isFetching && !isLoading && <span className="spinner spinner-small" role="status" aria-label="Updating" />}
        </div>

        {error ? (
          <ErrorState error={error} onRetry={() => void refetch()} title="Could not load documents" />
        ) : !isLoading && data && data.results.length === 0 ? (
          filtered ? (
            <EmptyState icon="search" title="No documents match" action={<button type="button" className="btn btn-secondary" onClick={() => { setSearchText(''); setParams(new URLSearchParams(), { replace: true }); }}>Clear filters</button>}>
              Try another search or fewer filters.
            </EmptyState>
          ) : (
            <EmptyState icon="file" title="No documents yet" action={<Link to="/upload" className="btn btn-primary">Upload your first document</Link>}>
              Uploaded documents appear here, with their status updating live.
            </EmptyState>
          )
        ) : (
          <div className="table-wrap">
            <table className="table table-responsive" data-testid="documents-table">
              <thead>
                <tr>
                  <th scope="col">
                    <SortButton field="title" ordering={query.ordering ?? '-created_at'} onSort={(ordering) => update({ ordering })}>
                      Title
                    </SortButton>
                  </th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Uploaded by</th>
                  <th scope="col">
                    <SortButton field="created_at" ordering={query.ordering ?? '-created_at'} onSort={(ordering) => update({ ordering })}>
                      Uploaded
                    </SortButton>
                  </th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {isLoading ? (
                  <SkeletonRows columns={6} />
                ) : (
                  data?.results.map((doc) => {
                    const pushed = recent[doc.id];
                    const fresh = pushed !== undefined && now - pushed.at < 4000;
                    return (
                      <tr key={doc.id} data-testid="document-row" data-document-id={doc.id} data-status={doc.status}>
                        <td data-label="Title">
                          <Link to={`/documents/${doc.id}`} className="doc-link" data-testid="document-link">
                            <Icon name="file" size={18} />
                            <span>
                              <span className="doc-title">{doc.title}</span>
                              {doc.filename && <span className="doc-filename">{doc.filename}</span>}
                            </span>
                          </Link>
                        </td>
                        <td data-label="Type">{titleCase(doc.document_type)}</td>
                        <td data-label="Status">
                          <StatusBadge status={doc.status} pulse={fresh} />
                        </td>
                        <td data-label="Uploaded by">{(doc.uploaded_by && emails[doc.uploaded_by]) || '—'}</td>
                        <td data-label="Uploaded">
                          <time dateTime={doc.created_at} title={formatDateTime(doc.created_at)}>
                            {formatDateTime(doc.created_at)}
                          </time>
                        </td>
                        <td data-label="Updated">
                          <time dateTime={doc.updated_at} title={formatDateTime(doc.updated_at)}>
                            {relativeTime(doc.updated_at, now)}
                          </time>
                        </td>
                      </tr>
                    );
                  })
                )}
              </tbody>
            </table>
          </div>
        )}
        {data && data.count > 0 && <Pagination page={query.page ?? 1} pageSize={PAGE_SIZE} count={data.count} onPage={(page) => update({ page })} />}
      </section>
    </div>
  );
}
