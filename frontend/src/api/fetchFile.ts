import type { AppDispatch, RootState } from '../app/store';
import { signedOut, tokenRefreshed } from '../auth/authSlice';
import { refresh } from '../auth/session';
import { errorFromResponse } from './errors';

/** A GET outside RTK Query (file bytes), with the same refresh-on-401 as the API calls. */
export async function authorizedFetch(url: string, getState: () => RootState, dispatch: AppDispatch, init: RequestInit = {}): Promise<Response> {
  const attempt = () => {
    const token = getState().auth.access;
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(url, { ...init, headers });
  };
  let response = await attempt();
  if (response.status === 401) {
    const renewed = await refresh().catch(() => null);
    if (!renewed) {
      dispatch(signedOut('Your session has ended. Please sign in again.'));
      throw await errorFromResponse(response);
    }
    dispatch(tokenRefreshed(renewed));
    response = await attempt();
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}
