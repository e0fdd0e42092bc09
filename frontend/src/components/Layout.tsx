import { useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useGetInboxQuery } from '../api/api';
import { roleAtLeast, type Role } from '../api/types';
import { useAppSelector } from '../app/hooks';
import { useLogout } from '../auth/useSession';
import { useLiveUpdates } from '../live/useLiveUpdates';
import { Icon, type IconName } from './Icon';
import { titleCase } from './format';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  role?: Role;
  testId: string;
}

const NAV: NavItem[] = [
  { to: '/', label: 'Documents', icon: 'dashboard', testId: 'nav-dashboard' },
  { to: '/upload', label: 'Upload', icon: 'upload', testId: 'nav-upload' },
  { to: '/review', label: 'Review', icon: 'review', role: 'REVIEWER', testId: 'nav-review' },
  { to: '/certification', label: 'Certification', icon: 'certificate', testId: 'nav-certification' },
  { to: '/analytics', label: 'Analytics', icon: 'chart', role: 'MANAGER', testId: 'nav-analytics' },
  { to: '/settings', label: 'Settings', icon: 'settings', role: 'MANAGER', testId: 'nav-settings' },
];

function LiveIndicator() {
  const status = useAppSelector((state) => state.live.status);
  const label = status === 'live' ? 'Live' : status === 'offline' ? 'Offline' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live live-${status}`} data-testid="live-indicator" data-live-status={status} title="Live status updates">
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{label}</span>
    </span>
  );
}

function InboxCount() {
  const { data } = useGetInboxQuery({ subject_type: 'document' });
  if (!data?.count) return null;
  return (
    <span className="nav-count" aria-label={`${data.count} waiting`} data-testid="review-count">
      {data.count}
    </span>
  );
}

export function Layout() {
  useLiveUpdates();
  const user = useAppSelector((state) => state.auth.user);
  const logout = useLogout();
  const [menuOpen, setMenuOpen] = useState(false);
  const items = NAV.filter((item) => !item.role || roleAtLeast(user?.role, item.role));

  return (
    <div className={`shell${menuOpen ? ' shell-menu-open' : ''}`}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Main navigation">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            <Icon name="workflow" size={18} />
          </span>
          <span className="brand-name">DocuFlow</span>
          <button type="button" className="btn btn-ghost btn-icon menu-toggle" aria-label={menuOpen ? 'Close menu' : 'Open menu'} aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((open) => !open)} data-testid="menu-toggle">
            <Icon name={menuOpen ? 'close' : 'menu'} />
          </button>
        </div>
        <nav id="main-nav" className="nav">
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`} onClick={() => setMenuOpen(false)} data-testid={item.testId}>
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                  {item.to === '/review' && <InboxCount />}
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="nav-footer">
            <div className="user-card" data-testid="current-user">
              <span className="avatar" aria-hidden="true">
                {user?.email.charAt(0).toUpperCase()}
              </span>
              <span className="user-meta">
                <span className="user-email">{user?.email}</span>
                <span className="user-role">
                  {user?.role ? titleCase(user.role) : 'Member'} · {user?.tenant_id}
                </span>
              </span>
            </div>
            <button type="button" className="nav-link" onClick={() => void logout()} data-testid="logout-button">
              <Icon name="logout" />
              <span>Sign out</span>
            </button>
          </div>
        </nav>
      </aside>
      <div className="main-column">
        <div className="topbar">
          <LiveIndicator />
        </div>
        <main id="main" className="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
