import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { SessionUser } from '../api/types';

/**
 * The session lives in memory only: the access token and who signed in. The refresh
 * token is an HttpOnly cookie that no script can read (see docuflow.web.session).
 */
export interface AuthState {
  status: 'unknown' | 'authenticated' | 'anonymous';
  access: string | null;
  user: SessionUser | null;
  /** Why the last session ended, shown on the login screen. */
  notice: string | null;
}

const initialState: AuthState = { status: 'unknown', access: null, user: null, notice: null };

const authSlice = createSlice({
  name: 'auth',
  initialState,
  reducers: {
    signedIn(state, action: PayloadAction<{ access: string; user: SessionUser }>) {
      state.status = 'authenticated';
      state.access = action.payload.access;
      state.user = action.payload.user;
      state.notice = null;
    },
    tokenRefreshed(state, action: PayloadAction<{ access: string; user: SessionUser }>) {
      state.access = action.payload.access;
      state.user = action.payload.user;
      state.status = 'authenticated';
    },
    signedOut(state, action: PayloadAction<string | null | undefined>) {
      state.status = 'anonymous';
      state.access = null;
      state.user = null;
      state.notice = action.payload ?? null;
    },
  },
});

export const { signedIn, tokenRefreshed, signedOut } = authSlice.actions;
export default authSlice.reducer;
