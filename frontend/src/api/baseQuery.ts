import {
  fetchBaseQuery,
  type BaseQueryFn,
  type FetchArgs,
  type FetchBaseQueryError,
} from '@reduxjs/toolkit/query/react';
import { signedOut, tokenRefreshed, type AuthState } from '../auth/authSlice';
import { refresh } from '../auth/session';

const raw = fetchBaseQuery({
  // Absolute, so that it also works where Request needs absolute URLs (tests under Node).
  baseUrl: new URL('/api/v1/', window.location.origin).href,
  prepareHeaders(headers, { getState }) {
    const token = (getState() as { auth: AuthState }).auth.access;
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return headers;
  },
});

/** Every API call: on 401, refresh the access token once (single flight) and retry. */
export const baseQuery: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> = async (
  args,
  api,
  extra,
) => {
  let result = await raw(args, api, extra);
  if (result.error?.status === 401) {
    const renewed = await refresh().catch(() => undefined);
    if (renewed === undefined) return result; // the server could not be asked: keep the 401
    if (renewed) {
      api.dispatch(tokenRefreshed(renewed));
      result = await raw(args, api, extra);
    } else {
      api.dispatch(signedOut('Your session has ended. Please sign in again.'));
    }
  }
  return result;
};
