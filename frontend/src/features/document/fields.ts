import type { KeyValue } from '../../api/types';

export function sortedFields(keyValues: Record<string, KeyValue>): [string, KeyValue][] {
  return Object.entries(keyValues).sort(([, a], [, b]) => a.page - b.page || (a.bbox?.[1] ?? 0) - (b.bbox?.[1] ?? 0));
}

