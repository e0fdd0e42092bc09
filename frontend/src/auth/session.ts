import type { SessionUser } from '../api/types';
import { errorFromResponse } from '../api/errors';

/** Browser session endpoints (docuflow.web.session): the refresh token is a cookie. */
const BASE = '/api/v1/web/session/';
const HEADERS = { 'Content-Type': 'application/json', 'X-DocuFlow-Session': '1' };

export interface SessionAnswer {
  access: string;
  user: SessionUser;
}

export class SessionError extends Error {
  status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

async function post(path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(BASE + path, {
      method: 'POST',
      headers: HEADERS,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new SessionError('Cannot reach the DocuFlow server. Check your connection.', 0);
  }
}

export async function login(email: string, password: string): Promise<SessionAnswer> {
  const response = await post('login/', { email, password });
  if (!response.ok) {
    const error = await errorFromResponse(response);
    throw new SessionError(error.message, response.status);
  }
  return (await response.json()) as SessionAnswer;
}

let inFlight: Promise<SessionAnswer | null> | null = null;

async function refreshOnce(): Promise<SessionAnswer | null> {
  const response = await post('refresh/');
  if (response.status === 401 || response.status === 403) return null;
  if (!response.ok) {
    const error = await errorFromResponse(response);
    throw new SessionError(error.message, response.status);
  }
  return (await response.json()) as SessionAnswer;
}

/**
 * A new access token from the refresh cookie, or null when the session is over.
 *
 * Refresh tokens are single-use (rotation), so concurrent refreshes would log the user
 * out: one refresh runs at a time in this tab, and across tabs through the Web Locks API.
 */
export function refresh(): Promise<SessionAnswer | null> {
  if (!inFlight) {
    const run = () => refreshOnce();
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const task = locks ? locks.request('docuflow-session-refresh', run) : run();
    inFlight = task.finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

export async function logout(): Promise<void> {
  try {
    await post('logout/');
  } catch {
    // Signed out locally either way.
  }
}
