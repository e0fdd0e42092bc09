import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import { useRestoreSession } from './auth/useSession';
import { Layout } from './components/Layout';
import { EmptyState, LoadingState } from './components/ui';
import LoginPage from './features/login/LoginPage';
import DashboardPage from './features/dashboard/DashboardPage';

const UploadPage = lazy(() => import('./features/upload/UploadPage'));
const DocumentPage = lazy(() => import('./features/document/DocumentPage'));
const ReviewPage = lazy(() => import('./features/review/ReviewPage'));
const CertificationPage = lazy(() => import('./features/certification/CertificationPage'));
const AnalyticsPage = lazy(() => import('./features/analytics/AnalyticsPage'));
const SettingsPage = lazy(() => import('./features/settings/SettingsPage'));

export function AppRoutes() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="upload" element={<UploadPage />} />
          <Route path="documents/:id" element={<DocumentPage />} />
          <Route path="review" element={<RequireAuth role="REVIEWER"><ReviewPage /></RequireAuth>} />
          <Route path="certification" element={<CertificationPage />} />
          <Route path="analytics" element={<RequireAuth role="MANAGER"><AnalyticsPage /></RequireAuth>} />
          <Route path="settings/*" element={<RequireAuth role="MANAGER"><SettingsPage /></RequireAuth>} />
          <Route path="*" element={<EmptyState icon="warning" title="Page not found">There is nothing at this address.</EmptyState>} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export default function App() {
  useRestoreSession();
  return <AppRoutes />;
}
