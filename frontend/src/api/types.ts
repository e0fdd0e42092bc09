export type Role = 'UPLOADER' | 'REVIEWER' | 'MANAGER' | 'ADMIN';

export const ROLES: Role[] = ['UPLOADER', 'REVIEWER', 'MANAGER', 'ADMIN'];

export function roleAtLeast(role: Role | null | undefined, wanted: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(wanted);
}

export interface SessionUser {
  id: string;
  email: string;
  role: Role | null;
  tenant_id: string;
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export const DOCUMENT_STATUSES = [
  'UPLOADED',
  'EXTRACTING',
  'VALIDATING',
  'PENDING_APPROVAL',
  'APPROVED',
  'REJECTED',
  'ARCHIVED',
  'EXTRACTION_FAILED',
  'VALIDATION_FAILED',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const DOCUMENT_TYPES = ['INVOICE', 'CONTRACT', 'REPORT', 'FORM', 'RECEIPT', 'GENERIC'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface DocumentRecord {
  id: string;
  tenant_id: string;
  title: string;
  document_type: DocumentType;
  status: DocumentStatus;
  file_size: number;
  filename: string;
  content_type: string;
  sha256: string;
  version: number;
  extracted_data: Record<string, unknown>;
  workflow_arn: string;
  visibility: 'TENANT' | 'RESTRICTED';
  allowed_roles: Role[];
  allowed_users: string[];
  uploaded_by: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_notes: string;
  created_at: string;
  updated_at: string;
  upload_url: string | null;
  failure_reason: { code: string; message: string } | null;
}

export type DocumentOrdering = 'created_at' | '-created_at' | 'title' | '-title';

export interface DocumentQuery {
  page?: number;
  page_size?: number;
  status?: DocumentStatus | '';
  document_type?: DocumentType | '';
  search?: string;
  ordering?: DocumentOrdering;
  created_after?: string;
  created_before?: string;
}

export interface DocumentCounts {
  total: number;
  by_status: Record<DocumentStatus, number>;
}

export interface DocumentVersion {
  number: number;
  storage_key: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_by: string | null;
  created_at: string;
}

/** [left, top, width, height] as fractions of the page, origin top left. */
export type BBox = [number, number, number, number];

export interface KeyValue {
  value: unknown;
  raw: string;
  confidence: number;
  page: number;
  bbox: BBox | null;
  key_raw: string;
  key_bbox: BBox | null;
  type: string;
  valid: boolean;
  source: string;
  currency?: string | null;
}

export interface TableCell {
  row: number;
  column: number;
  row_span: number;
  column_span: number;
  text: string;
  bbox: BBox | null;
  confidence: number;
}

export interface ExtractedTable {
  id: string;
  page: number;
  rows: number;
  columns: number;
  bbox: BBox | null;
  cells: TableCell[];
}

export interface Validation {
  passed: boolean;
  missing_fields?: string[];
  invalid_fields?: (string | { field: string; message?: string })[];
  low_confidence_fields?: string[];
  confidence?: number;
  threshold?: number;
  document_type?: string;
}

export interface Extraction {
  id: string;
  document_id: string;
  version: number;
  status: 'SUCCEEDED' | 'FAILED';
  document_type: string;
  content_type: string;
  page_count: number;
  confidence: number | null;
  methods: unknown;
  failure_reason: { code: string; message: string } | null;
  validation: Validation | null;
  key_values: Record<string, KeyValue>;
  pages: { page: number; width: number; height: number; unit: string; method: string }[];
  tables: ExtractedTable[];
  warnings: string[];
  duration_ms: number | null;
  created_at: string;
}

export interface StateVisit {
  state: string;
  status: string;
  duration_ms: number | null;
}

export interface WorkflowGraphData {
  document_id: string;
  document_status: DocumentStatus;
  state_machine: { name: string; arn: string };
  execution: {
    arn: string;
    name: string;
    status: string;
    current_state: string | null;
    started_at: string;
    stopped_at: string | null;
    error: string | null;
    cause: string | null;
  };
  definition: AslDefinition | null;
  states: StateVisit[];
}

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; [key: string]: unknown }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  Resource?: string;
  Comment?: string;
  [key: string]: unknown;
}

export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export interface AuditEntry {
  id: string | number;
  action: string;
  actor: string | null;
  actor_email: string;
  object_type: string;
  object_id: string;
  version: number | null;
  ip: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

export interface Member {
  id: string;
  email: string;
  role: Role;
  is_active: boolean;
  joined_at: string;
  initial_password?: string | null;
}

export interface Tenant {
  tenant_id: string;
  name: string;
  plan: string;
  documents_used: number;
  documents_limit: number;
  members_count: number;
  created_at: string;
}

export interface UserRef {
  id: string;
  email: string;
}

export interface HumanTask {
  id: string;
  subject_type: 'document' | 'certification';
  subject_id: string;
  title: string;
  details: Record<string, unknown>;
  stage: number | string | null;
  state_name: string;
  status: string;
  candidate_roles: Role[];
  candidate_users: UserRef[];
  assignee: UserRef | null;
  claimed_at: string | null;
  requested_by: UserRef | null;
  due_at: string | null;
  escalate_after: string | null;
  decision: string | null;
  decided_by: UserRef | null;
  decided_at: string | null;
  notes: string;
  reason: string;
  created_at: string;
  updated_at: string;
  can_decide: boolean;
}

export interface CertificationRequest {
  requestId: string;
  name: string;
  course: string;
  cost: number;
  status: string;
  requestDate: string;
  decidedAt: string | null;
  decidedBy: string | null;
  requester: string;
  executionArn: string | null;
  approvals: {
    taskId: string;
    stage: number | string;
    status: string;
    decidedBy: string | null;
    decidedAt: string | null;
    notes: string;
    reason: string;
  }[];
}

export interface AnalyticsSummary {
  tenant_id: string;
  period_from: string;
  period_to: string;
  total_documents: number;
  by_status: Partial<Record<DocumentStatus, number>>;
  by_type: Record<string, number>;
  avg_extraction_confidence: number | null;
  avg_workflow_duration_hours: number | null;
  approval_rate_pct: number | null;
}

export interface TimelineRow {
  bucket: string;
  uploaded: number;
  approved: number;
  rejected: number;
  failed: number;
}

export interface WorkflowDefinition {
  name: string;
  arn: string;
  shipped: boolean;
  definition: AslDefinition;
  revision_id: string;
  bound_to: string[];
  created_at: string;
  updated_at: string;
}

export interface WorkflowBinding {
  /** A document type, or "default" for every type without its own binding. */
  document_type: string;
  state_machine: string;
  state_machine_arn: string;
}

export interface Diagnostic {
  code: string;
  message: string;
  location: string;
  severity?: string;
}

export interface RuleSet {
  id: string;
  document_type: string;
  confidence_threshold: number | null;
  settings: Record<string, unknown>;
  rules: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface EffectiveRules {
  document_type: string;
  customized: boolean;
  known_type: boolean;
  confidence_threshold: number;
  settings: Record<string, unknown>;
  rules: Record<string, unknown>;
}
