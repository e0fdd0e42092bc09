import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { roleAtLeast, type Role } from '../api/types';
import { useAppSelector } from '../app/hooks';
import { EmptyState, LoadingState } from '../components/ui';

export function RequireAuth({ children, role }: { children: ReactNode; role?: Role }) {
  const auth = useAppSelector((state) => state.auth);
  const location = useLocation();
  if (auth.status === 'unknown') return <LoadingState label="Restoring your session…" />;
  if (auth.status === 'anonymous') {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  if (role && !roleAtLeast(auth.user?.role, role)) {
    return (
      <EmptyState icon="warning" title="Not available for your role">
        This page is for {role === 'MANAGER' ? 'managers and administrators' : `${role.toLowerCase()}s and above`}.
      </EmptyState>
    );
  }
  return <>{children}</>;
}
