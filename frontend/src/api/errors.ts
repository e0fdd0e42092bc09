import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import type { SerializedError } from '@reduxjs/toolkit';

/** DocuFlow's error envelope: every API error has this shape. */
export interface Envelope {
  detail: string;
  status_code: number;
  code: string;
  errors?: Record<string, unknown>;
}

export function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as Envelope).detail === 'string';
}

function flatten(errors: unknown, prefix = ''): string[] {
  if (typeof errors === 'string') return [prefix ? `${prefix}: ${errors}` : errors];
  if (Array.isArray(errors)) return errors.flatMap((item) => flatten(item, prefix));
  if (errors && typeof errors === 'object') {
    return Object.entries(errors).flatMap(([key, value]) =>
      flatten(value, key === 'non_field_errors' ? prefix : prefix ? `${prefix}.${key}` : key),
    );
  }
  return [];
}

/** Field messages of a validation error, keyed by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  const data = (error as FetchBaseQueryError | undefined)?.status !== undefined ? (error as { data?: unknown }).data : error;
  if (!isEnvelope(data) || !data.errors) return {};
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(data.errors)) out[field] = flatten(value).join(' ');
  return out;
}

/** The message to show for any failed request: the envelope's detail, else a plain reason. */
export function errorMessage(error: unknown): string {
  if (!error) return '';
  if (error instanceof Error) return error.message;
  const fetchError = error as FetchBaseQueryError;
  if (typeof fetchError === 'object' && 'status' in fetchError) {
    const data = (fetchError as { data?: unknown }).data;
    if (isEnvelope(data)) {
      const fields = data.errors ? flatten(data.errors) : [];
      const extra = fields.filter((line) => !data.detail.includes(line));
      return extra.length ? `${data.detail} ${extra.join(' ')}` : data.detail;
    }
    switch (fetchError.status) {
      case 'FETCH_ERROR':
        return 'Cannot reach the DocuFlow server. Check your connection and try again.';
      case 'PARSING_ERROR':
        return 'The server sent an answer this page could not read.';
      case 'TIMEOUT_ERROR':
        return 'The server took too long to answer.';
      default:
        return `The request failed (${String(fetchError.status)}).`;
    }
  }
  const serialized = error as SerializedError;
  return serialized.message ?? 'Something went wrong.';
}

export class ApiError extends Error {
  status: number;
  envelope: Envelope | null;
  constructor(message: string, status: number, envelope: Envelope | null) {
    super(message);
    this.status = status;
    this.envelope = envelope;
  }
}

/** An ApiError from a failed fetch/XHR answer body (JSON envelope or not). */
export function errorFromBody(status: number, text: string): ApiError {
  try {
    const data: unknown = JSON.parse(text);
    if (isEnvelope(data)) {
      return new ApiError(errorMessage({ status, data }), status, data);
    }
  } catch {
    // not JSON
  }
  if (status === 413) return new ApiError('The file is too large.', status, null);
  if (status === 0) return new ApiError('Cannot reach the DocuFlow server.', status, null);
  return new ApiError(`The request failed (${status}).`, status, null);
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  return errorFromBody(response.status, await response.text());
}
