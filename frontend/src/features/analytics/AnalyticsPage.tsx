import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useGetSummaryQuery, useGetTimelineQuery } from '../../api/api';
import type { DocumentStatus } from '../../api/types';
import { STATUS_LABELS, titleCase } from '../../components/format';
import { Card, EmptyState, ErrorState, LoadingState, PageHeader, StatTile } from '../../components/ui';
import { rangeFor } from './range';

const STATUS_COLORS: Record<DocumentStatus, string> = {
  UPLOADED: '#6f86e8',
  EXTRACTING: '#5c9fe0',
  VALIDATING: '#4cb3d4',
  PENDING_APPROVAL: '#e5a431',
  APPROVED: '#2fb57a',
  ARCHIVED: '#8a96ab',
  REJECTED: '#e05565',
  EXTRACTION_FAILED: '#b8323f',
  VALIDATION_FAILED: '#f07e52',
};

const PRESETS = [7, 30, 90];

export default function AnalyticsPage() {
  const [range, setRange] = useState(() => rangeFor(30));
  const [preset, setPreset] = useState<number | null>(30);
  const invalid = range.from > range.to;
  const summary = useGetSummaryQuery(range, { skip: invalid });
  const timeline = useGetTimelineQuery({ ...range, bucket: 'day' }, { skip: invalid });

  const statusData = useMemo(
    () =>
      Object.entries(summary.data?.by_status ?? {})
        .filter(([, count]) => (count ?? 0) > 0)
        .map(([status, count]) => ({ status, label: STATUS_LABELS[status as DocumentStatus] ?? titleCase(status), count: count ?? 0 })),
    [summary.data],
  );
  const typeData = useMemo(() => Object.entries(summary.data?.by_type ?? {}).map(([type, count]) => ({ type: titleCase(type), count })), [summary.data]);
  const timelineData = useMemo(() => (timeline.data ?? []).map((row) => ({ ...row, day: row.bucket.slice(5, 10) })), [timeline.data]);
  const data = summary.data;

  return (
    <div className="page" data-testid="analytics-page">
      <PageHeader
        title="Analytics"
        subtitle="How documents move through your workflows."
        actions={
          <div className="row" role="group" aria-label="Date range">
            <div className="segmented">
              {PRESETS.map((days) => (
                <button key={days} type="button" aria-pressed={preset === days} onClick={() => { setPreset(days); setRange(rangeFor(days)); }} data-testid={`range-${days}`}>
                  {days} days
                </button>
              ))}
            </div>
            <div className="date-range">
              <label htmlFor="range-from">From</label>
              <input id="range-from" type="date" value={range.from} max={range.to} onChange={(event) => { setPreset(null); setRange((current) => ({ ...current, from: event.target.value })); }} data-testid="range-from" />
              <label htmlFor="range-to">To</label>
              <input id="range-to" type="date" value={range.to} min={range.from} onChange={(event) => { setPreset(null); setRange((current) => ({ ...current, to: event.target.value })); }} data-testid="range-to" />
            </div>
          </div>
        }
      />
      {invalid ? (
        <ErrorState error={new Error('The start date is after the end date.')} title="Check the dates" />
      ) : summary.isLoading ? (
        <LoadingState label="Computing figures…" />
      ) : summary.error ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : data ? (
        <>
          <div className="kpi-grid">
            <StatTile label="Documents" value={data.total_documents} hint="uploaded in this period" testId="kpi-total" />
            <StatTile label="Approval rate" value={data.approval_rate_pct === null ? '—' : `${data.approval_rate_pct}%`} hint="of decided documents" tone="success" testId="kpi-approval-rate" />
            <StatTile label="Average workflow time" value={data.avg_workflow_duration_hours === null ? '—' : data.avg_workflow_duration_hours < 1 ? `${Math.round(data.avg_workflow_duration_hours * 60)} min` : `${data.avg_workflow_duration_hours} h`} hint="upload to last step" tone="info" testId="kpi-duration" />
            <StatTile label="Extraction confidence" value={data.avg_extraction_confidence === null ? '—' : `${data.avg_extraction_confidence}%`} hint="average" tone="warning" testId="kpi-confidence" />
          </div>
          <Card title="Per day" testId="timeline-card">
            {timeline.isLoading ? (
              <LoadingState />
            ) : timeline.error ? (
              <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />
            ) : timelineData.every((row) => !row.uploaded && !row.approved && !row.rejected && !row.failed) ? (
              <EmptyState icon="chart" title="No activity in this period" />
            ) : (
              <div className="chart" data-testid="timeline-chart" role="img" aria-label="Documents uploaded, approved, rejected and failed per day">
                <ResponsiveContainer width="100%" height="100%">
                  <LineChart data={timelineData} margin={{ top: 8, right: 16, left: -12, bottom: 0 }}>
                    <CartesianGrid stroke="#edf0f5" vertical={false} />
                    <XAxis dataKey="day" tick={{ fontSize: 12 }} />
                    <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
                    <Tooltip />
                    <Legend />
                    <Line type="monotone" dataKey="uploaded" name="Uploaded" stroke="#2546c9" strokeWidth={2} dot={false} isAnimationActive={false} />
                    <Line type="monotone" dataKey="approved" name="Approved" stroke="#2fb57a" strokeWidth={2} dot={false} isAnimationActive={false} />
                    <Line type="monotone" dataKey="rejected" name="Rejected" stroke="#e05565" strokeWidth={2} dot={false} isAnimationActive={false} />
                    <Line type="monotone" dataKey="failed" name="Failed" stroke="#e5a431" strokeWidth={2} dot={false} isAnimationActive={false} />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            )}
          </Card>
          <div className="grid-2">
            <Card title="By status" testId="status-breakdown">
              {statusData.length === 0 ? (
                <EmptyState icon="chart" title="No documents in this period" />
              ) : (
                <div className="chart" role="img" aria-label={`Status breakdown: ${statusData.map((row) => `${row.label} ${row.count}`).join(', ')}`}>
                  <ResponsiveContainer width="100%" height="100%">
                    <PieChart>
                      <Pie data={statusData} dataKey="count" nameKey="label" innerRadius="55%" outerRadius="85%" paddingAngle={2} isAnimationActive={false}>
                        {statusData.map((row) => (
                          <Cell key={row.status} fill={STATUS_COLORS[row.status as DocumentStatus] ?? '#8a96ab'} />
                        ))}
                      </Pie>
                      <Tooltip />
                      <Legend />
                    </PieChart>
                  </ResponsiveContainer>
                </div>
              )}
            </Card>
            <Card title="By type" testId="type-breakdown">
              {typeData.length === 0 ? (
                <EmptyState icon="chart" title="No documents in this period" />
              ) : (
                <div className="chart" role="img" aria-label={`Documents by type: ${typeData.map((row) => `${row.type} ${row.count}`).join(', ')}`}>
                  <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={typeData} margin={{ top: 8, right: 16, left: -12, bottom: 0 }}>
                      <CartesianGrid stroke="#edf0f5" vertical={false} />
                      <XAxis dataKey="type" tick={{ fontSize: 12 }} />
                      <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
                      <Tooltip />
                      <Bar dataKey="count" name="Documents" fill="#2546c9" radius={[6, 6, 0, 0]} isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              )}
            </Card>
          </div>
        </>
      ) : null}
    </div>
  );
}
