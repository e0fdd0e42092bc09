import { api } from '../api/api';
import type { DocumentRecord, Paginated } from '../api/types';
import { makeStore } from '../app/store';
import { applyStatus, backoff, parseMessage } from './useLiveUpdates';

const doc = (id: string, status: DocumentRecord['status']) => ({ id, status, title: id, updated_at: '2026-01-01T00:00:00Z' }) as DocumentRecord;

describe('live updates', () => {
  it('reads only status messages', () => {
    expect(parseMessage('pong')).toBeNull();
    expect(parseMessage('{nope')).toBeNull();
    expect(parseMessage(JSON.stringify({ type: 'OTHER' }))).toBeNull();
    expect(parseMessage(JSON.stringify({ type: 'DOCUMENT_STATUS_UPDATE', document_id: 'a', status: 'ARCHIVED', updated_at: 'x' }))?.status).toBe('ARCHIVED');
  });

  it('backs off exponentially up to 30 s, with jitter', () => {
    expect(backoff(1, () => 1)).toBe(1000);
    expect(backoff(3, () => 1)).toBe(4000);
    expect(backoff(20, () => 1)).toBe(30_000);
    expect(backoff(20, () => 0)).toBe(15_000);
  });

  it('changes the status in every cached list in place', async () => {
    const store = makeStore();
    const page: Paginated<DocumentRecord> = { count: 2, next: null, previous: null, results: [doc('a', 'EXTRACTING'), doc('b', 'UPLOADED')] };
    // A mounted list (a subscription), loaded once; the refetch the event triggers stays pending.
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(page), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    await store.dispatch(api.endpoints.getDocuments.initiate({ page: 1 }));
    vi.stubGlobal('fetch', vi.fn(() => new Promise(() => undefined)));
    applyStatus(store.dispatch, store.getState(), { type: 'DOCUMENT_STATUS_UPDATE', document_id: 'a', status: 'PENDING_APPROVAL', updated_at: '2026-01-02T00:00:00Z' });
    const cached = api.endpoints.getDocuments.select({ page: 1 })(store.getState()).data;
    expect(cached?.results.map((item) => item.status)).toEqual(['PENDING_APPROVAL', 'UPLOADED']);
    expect(cached?.results[0]?.updated_at).toBe('2026-01-02T00:00:00Z');
    expect(store.getState().live.recent.a?.status).toBe('PENDING_APPROVAL');
    vi.unstubAllGlobals();
  });
});
