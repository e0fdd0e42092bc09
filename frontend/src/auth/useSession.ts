import { useCallback, useEffect } from 'react';
import { useAppDispatch } from '../app/hooks';
import { signedIn, signedOut } from './authSlice';
import * as session from './session';

/** On start: restore the session from the refresh cookie, if there is one. */
export function useRestoreSession(): void {
  const dispatch = useAppDispatch();
  useEffect(() => {
    let cancelled = false;
    session
      .refresh()
      .then((answer) => {
        if (cancelled) return;
        dispatch(answer ? signedIn(answer) : signedOut());
      })
      .catch(() => {
        if (!cancelled) dispatch(signedOut());
      });
    return () => {
      cancelled = true;
    };
  }, [dispatch]);
}

export function useLogout(): () => Promise<void> {
  const dispatch = useAppDispatch();
  return useCallback(async () => {
    await session.logout();
    dispatch(signedOut());
  }, [dispatch]);
}
