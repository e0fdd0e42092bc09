import { useEffect } from 'react';
import { useStore } from 'react-redux';
import { api } from '../api/api';
import type { DocumentStatus } from '../api/types';
import { useAppDispatch, useAppSelector } from '../app/hooks';
import type { AppDispatch, RootState } from '../app/store';
import { signedOut, tokenRefreshed } from '../auth/authSlice';
import { refresh } from '../auth/session';
import { connectionChanged, statusPushed } from './liveSlice';

export interface StatusMessage {
  type: 'DOCUMENT_STATUS_UPDATE';
  document_id: string;
  status: DocumentStatus;
  updated_at: string;
}

export function parseMessage(data: unknown): StatusMessage | null {
  if (typeof data !== 'string' || data === 'pong') return null;
  try {
    const message = JSON.parse(data) as Partial<StatusMessage>;
    if (message.type === 'DOCUMENT_STATUS_UPDATE' && message.document_id && message.status) {
      return message as StatusMessage;
    }
  } catch {
    // not a message of ours
  }
  return null;
}

/** Put a pushed status into every cached answer that shows the document, then refetch
 * what derives from it (counts, inbox, workflow graph, extraction, audit). */
export function applyStatus(dispatch: AppDispatch, state: RootState, message: StatusMessage): void {
  const { document_id: id, status, updated_at: updatedAt } = message;
  let listed = false;
  for (const args of api.util.selectCachedArgsForQuery(state, 'getDocuments')) {
    dispatch(
      api.util.updateQueryData('getDocuments', args, (draft) => {
        const doc = draft.results.find((item) => item.id === id);
        if (doc) {
          listed = true;
          doc.status = status;
          doc.updated_at = updatedAt ?? doc.updated_at;
        }
      }),
    );
  }
  dispatch(
    api.util.updateQueryData('getDocument', id, (draft) => {
      draft.status = status;
      draft.updated_at = updatedAt ?? draft.updated_at;
    }),
  );
  dispatch(statusPushed({ id, status, at: Date.now() }));
  dispatch(
    api.util.invalidateTags([
      'Counts',
      'Inbox',
      'Analytics',
      { type: 'Document', id },
      { type: 'Workflow', id },
      { type: 'Extraction', id },
      { type: 'Audit', id },
      ...(listed ? [] : (['DocumentList'] as const)),
    ]),
  );
}

export function backoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(Math.max(attempt - 1, 0), 5));
  return Math.round(base * (0.5 + random() / 2));
}

const PING_MS = 25_000;

/** One WebSocket per signed-in tab: live status, keep-alive pings, reconnects with backoff. */
export function useLiveUpdates(): void {
  const dispatch = useAppDispatch();
  const store = useStore<RootState>();
  const signedIn = useAppSelector((state) => state.auth.status === 'authenticated');

  useEffect(() => {
    if (!signedIn) return undefined;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let stopped = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let pingTimer: ReturnType<typeof setInterval> | undefined;

    const schedule = () => {
      if (stopped) return;
      attempt += 1;
      dispatch(connectionChanged('reconnecting'));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, backoff(attempt));
    };

    function connect() {
      if (stopped) return;
      const token = store.getState().auth.access;
      if (!token) return;
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      const url = `${scheme}://${window.location.host}/ws/documents/?token=${encodeURIComponent(token)}`;
      dispatch(connectionChanged(attempt ? 'reconnecting' : 'connecting'));
      const current = new WebSocket(url);
      socket = current;
      current.onopen = () => {
        const reconnected = attempt > 0;
        attempt = 0;
        dispatch(connectionChanged('live'));
        clearInterval(pingTimer);
        pingTimer = setInterval(() => {
          if (current.readyState === WebSocket.OPEN) current.send('ping');
        }, PING_MS);
        // Events sent while the socket was down are lost: catch up from the API.
        if (reconnected) dispatch(api.util.invalidateTags(['DocumentList', 'Document', 'Counts', 'Inbox', 'Workflow']));
      };
      current.onmessage = (event) => {
        const message = parseMessage(event.data);
        if (message) applyStatus(dispatch, store.getState(), message);
      };
      current.onclose = (event) => {
        clearInterval(pingTimer);
        if (stopped || socket !== current) return;
        if (event.code === 4001) {
          // The access token expired: renew it, then reconnect.
          refresh()
            .then((renewed) => {
              if (renewed) {
                dispatch(tokenRefreshed(renewed));
                schedule();
              } else {
                dispatch(signedOut('Your session has ended. Please sign in again.'));
              }
            })
            .catch(schedule);
          return;
        }
        schedule();
      };
    }

    const online = () => {
      if (socket && socket.readyState !== WebSocket.OPEN) {
        attempt = Math.max(attempt, 1);
        clearTimeout(retryTimer);
        connect();
      }
    };
    window.addEventListener('online', online);
    connect();
    return () => {
      stopped = true;
      window.removeEventListener('online', online);
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      socket?.close(1000);
      dispatch(connectionChanged('offline'));
    };
  }, [signedIn, dispatch, store]);
}
