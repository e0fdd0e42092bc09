import { createApi } from '@reduxjs/toolkit/query/react';
import { baseQuery } from './baseQuery';
import type {
  AnalyticsSummary,
  AuditEntry,
  CertificationRequest,
  Diagnostic,
  DocumentCounts,
  DocumentQuery,
  DocumentRecord,
  DocumentType,
  DocumentVersion,
  EffectiveRules,
  Extraction,
  HumanTask,
  Member,
  Paginated,
  Role,
  RuleSet,
  Tenant,
  TimelineRow,
  WorkflowBinding,
  WorkflowDefinition,
  WorkflowGraphData,
} from './types';

function clean(params: object): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') out[key] = value as string | number;
  }
  return out;
}

export const api = createApi({
  reducerPath: 'api',
  baseQuery,
  tagTypes: [
    'Document',
    'DocumentList',
    'Counts',
    'Extraction',
    'Workflow',
    'Audit',
    'Inbox',
    'Certification',
    'Member',
    'Tenant',
    'Analytics',
    'Definitions',
    'Rules',
  ],
  endpoints: (build) => ({
    // --- documents -----------------------------------------------------------------------
    getDocuments: build.query<Paginated<DocumentRecord>, DocumentQuery>({
      query: (params) => ({ url: 'documents/', params: clean(params) }),
      providesTags: (result) => [
        'DocumentList',
        ...(result?.results.map((doc) => ({ type: 'Document' as const, id: doc.id })) ?? []),
      ],
    }),
    getDocumentCounts: build.query<DocumentCounts, void>({
      query: () => 'web/documents/counts/',
      providesTags: ['Counts'],
    }),
    getDocument: build.query<DocumentRecord, string>({
      query: (id) => `documents/${id}/`,
      providesTags: (_r, _e, id) => [{ type: 'Document', id }],
    }),
    createDocument: build.mutation<DocumentRecord, { title: string; document_type: DocumentType }>({
      query: (body) => ({ url: 'documents/', method: 'POST', body }),
    }),
    deleteDocument: build.mutation<void, string>({
      query: (id) => ({ url: `documents/${id}/`, method: 'DELETE' }),
      invalidatesTags: ['DocumentList', 'Counts'],
    }),
    getVersions: build.query<Paginated<DocumentVersion>, string>({
      query: (id) => ({ url: `documents/${id}/versions/`, params: { page_size: 100 } }),
      providesTags: (_r, _e, id) => [{ type: 'Document', id }],
    }),
    getExtraction: build.query<Extraction, string>({
      query: (id) => `documents/${id}/extraction/`,
      providesTags: (_r, _e, id) => [{ type: 'Extraction', id }],
    }),
    rerunExtraction: build.mutation<DocumentRecord, string>({
      query: (id) => ({ url: `documents/${id}/extraction/rerun/`, method: 'POST' }),
      invalidatesTags: (_r, _e, id) => [{ type: 'Document', id }, { type: 'Workflow', id }],
    }),
    getWorkflowGraph: build.query<WorkflowGraphData, string>({
      query: (id) => `web/documents/${id}/workflow-graph/`,
      providesTags: (_r, _e, id) => [{ type: 'Workflow', id }],
    }),
    getDocumentAudit: build.query<Paginated<AuditEntry>, string>({
      query: (id) => ({ url: 'audit/', params: { object: `document:${id}`, page_size: 100 } }),
      providesTags: (_r, _e, id) => [{ type: 'Audit', id }],
    }),
    approveDocument: build.mutation<DocumentRecord, { id: string; notes?: string }>({
      query: ({ id, notes }) => ({ url: `documents/${id}/approve/`, method: 'POST', body: notes ? { notes } : {} }),
      invalidatesTags: (_r, _e, { id }) => [{ type: 'Document', id }, 'Inbox', 'Counts', { type: 'Workflow', id }],
    }),
    rejectDocument: build.mutation<DocumentRecord, { id: string; reason: string }>({
      query: ({ id, reason }) => ({ url: `documents/${id}/reject/`, method: 'POST', body: { reason } }),
      invalidatesTags: (_r, _e, { id }) => [{ type: 'Document', id }, 'Inbox', 'Counts', { type: 'Workflow', id }],
    }),

    // --- approvals -----------------------------------------------------------------------
    getInbox: build.query<Paginated<HumanTask>, { subject_type?: 'document' | 'certification'; status?: string; page?: number }>({
      query: (params) => ({ url: 'approvals/', params: clean({ page_size: 50, ...params }) }),
      providesTags: ['Inbox'],
    }),
    decideTask: build.mutation<HumanTask, { id: string; decision: 'APPROVED' | 'REJECTED'; notes?: string; reason?: string }>({
      query: ({ id, ...body }) => ({ url: `approvals/${id}/decide/`, method: 'POST', body }),
      invalidatesTags: ['Inbox', 'Certification'],
    }),

    // --- certification -------------------------------------------------------------------
    getCertifications: build.query<Paginated<CertificationRequest>, { page?: number }>({
      query: (params) => ({ url: 'certification/requests', params: clean({ page_size: 50, ...params }) }),
      providesTags: ['Certification'],
    }),
    submitCertification: build.mutation<{ requestId: string; executionArn: string }, { name: string; course: string; cost: string }>({
      query: (body) => ({ url: 'certification/request', method: 'POST', body }),
      invalidatesTags: ['Certification', 'Inbox'],
    }),
    cancelCertification: build.mutation<CertificationRequest, string>({
      query: (id) => ({ url: `certification/request/${id}/cancel/`, method: 'POST' }),
      invalidatesTags: ['Certification', 'Inbox'],
    }),

    // --- tenant --------------------------------------------------------------------------
    getTenant: build.query<Tenant, void>({ query: () => 'tenants/me/', providesTags: ['Tenant'] }),
    getMembers: build.query<Paginated<Member>, void>({
      query: () => ({ url: 'tenants/members/', params: { page_size: 100 } }),
      providesTags: ['Member'],
    }),
    createMember: build.mutation<Member, { email: string; role: Role; password?: string }>({
      query: (body) => ({ url: 'tenants/members/', method: 'POST', body }),
      invalidatesTags: ['Member', 'Tenant'],
    }),
    updateMember: build.mutation<Member, { id: string; role?: Role; is_active?: boolean }>({
      query: ({ id, ...body }) => ({ url: `tenants/members/${id}/`, method: 'PATCH', body }),
      invalidatesTags: ['Member'],
    }),

    // --- analytics -----------------------------------------------------------------------
    getSummary: build.query<AnalyticsSummary, { from: string; to: string }>({
      query: (params) => ({ url: 'analytics/summary/', params }),
      providesTags: ['Analytics'],
    }),
    getTimeline: build.query<TimelineRow[], { from: string; to: string; bucket?: 'hour' | 'day' | 'week' }>({
      query: (params) => ({ url: 'analytics/timeline/', params: { bucket: 'day', ...params } }),
      providesTags: ['Analytics'],
    }),

    // --- settings ------------------------------------------------------------------------
    getDefinitions: build.query<WorkflowDefinition[], void>({
      query: () => 'workflow-definitions/',
      providesTags: ['Definitions'],
    }),
    getBindings: build.query<WorkflowBinding[], void>({
      query: () => 'workflow-bindings/',
      providesTags: ['Definitions'],
    }),
    validateDefinition: build.mutation<{ valid: boolean; diagnostics: Diagnostic[] }, { definition: string }>({
      query: (body) => ({ url: 'workflow-definitions/validate/', method: 'POST', body }),
    }),
    createDefinition: build.mutation<WorkflowDefinition, { name: string; definition: string }>({
      query: (body) => ({ url: 'workflow-definitions/', method: 'POST', body }),
      invalidatesTags: ['Definitions'],
    }),
    replaceDefinition: build.mutation<WorkflowDefinition, { name: string; definition: string }>({
      query: ({ name, definition }) => ({ url: `workflow-definitions/${encodeURIComponent(name)}/`, method: 'PUT', body: { definition } }),
      invalidatesTags: ['Definitions'],
    }),
    bindWorkflow: build.mutation<WorkflowBinding, { document_type: string; state_machine: string }>({
      query: ({ document_type, state_machine }) => ({ url: `workflow-bindings/${document_type}/`, method: 'PUT', body: { state_machine } }),
      invalidatesTags: ['Definitions'],
    }),
    unbindWorkflow: build.mutation<void, string>({
      query: (documentType) => ({ url: `workflow-bindings/${documentType}/`, method: 'DELETE' }),
      invalidatesTags: ['Definitions'],
    }),
    getRuleSets: build.query<Paginated<RuleSet>, void>({
      query: () => ({ url: 'extraction-rules/', params: { page_size: 100 } }),
      providesTags: ['Rules'],
    }),
    getEffectiveRules: build.query<EffectiveRules, string>({
      query: (documentType) => ({ url: 'extraction-rules/effective/', params: { document_type: documentType } }),
      providesTags: ['Rules'],
    }),
    saveRuleSet: build.mutation<RuleSet, { id?: string; document_type: string; confidence_threshold: number | null; settings: unknown; rules: unknown }>({
      query: ({ id, ...body }) =>
        id
          ? { url: `extraction-rules/${id}/`, method: 'PUT', body }
          : { url: 'extraction-rules/', method: 'POST', body },
      invalidatesTags: ['Rules'],
    }),
    deleteRuleSet: build.mutation<void, string>({
      query: (id) => ({ url: `extraction-rules/${id}/`, method: 'DELETE' }),
      invalidatesTags: ['Rules'],
    }),
  }),
});

export const {
  useGetDocumentsQuery,
  useGetDocumentCountsQuery,
  useGetDocumentQuery,
  useCreateDocumentMutation,
  useDeleteDocumentMutation,
  useGetVersionsQuery,
  useGetExtractionQuery,
  useRerunExtractionMutation,
  useGetWorkflowGraphQuery,
  useGetDocumentAuditQuery,
  useApproveDocumentMutation,
  useRejectDocumentMutation,
  useGetInboxQuery,
  useDecideTaskMutation,
  useGetCertificationsQuery,
  useSubmitCertificationMutation,
  useCancelCertificationMutation,
  useGetTenantQuery,
  useGetMembersQuery,
  useCreateMemberMutation,
  useUpdateMemberMutation,
  useGetSummaryQuery,
  useGetTimelineQuery,
  useGetDefinitionsQuery,
  useGetBindingsQuery,
  useValidateDefinitionMutation,
  useCreateDefinitionMutation,
  useReplaceDefinitionMutation,
  useBindWorkflowMutation,
  useUnbindWorkflowMutation,
  useGetRuleSetsQuery,
  useGetEffectiveRulesQuery,
  useSaveRuleSetMutation,
  useDeleteRuleSetMutation,
} = api;
