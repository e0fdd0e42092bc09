import { NavLink, Navigate, Route, Routes } from 'react-router';
import { PageHeader } from '../../components/ui';
import { MembersPanel } from './MembersPanel';
import { RulesPanel } from './RulesPanel';
import { WorkflowsPanel } from './WorkflowsPanel';

const TABS = [
  { to: '/settings/members', label: 'Members & roles' },
  { to: '/settings/workflows', label: 'Workflows' },
  { to: '/settings/rules', label: 'Extraction rules' },
];

export default function SettingsPage() {
  return (
    <div className="page" data-testid="settings-page">
      <PageHeader title="Settings" subtitle="Your workspace’s people, workflows and extraction rules." />
      <nav className="tabs card" aria-label="Settings sections" style={{ borderRadius: 10 }}>
        {TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className="tab" style={{ textDecoration: 'none' }} aria-current={undefined} data-testid={`settings-tab-${tab.to.split('/').pop()}`}>
            {({ isActive }) => <span aria-current={isActive ? 'page' : undefined} style={isActive ? { color: 'var(--primary)' } : undefined}>{tab.label}</span>}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="members" replace />} />
        <Route path="members" element={<MembersPanel />} />
        <Route path="workflows" element={<WorkflowsPanel />} />
        <Route path="rules" element={<RulesPanel />} />
      </Routes>
    </div>
  );
}
