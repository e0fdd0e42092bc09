import { useMemo } from 'react';
import { useGetMembersQuery } from '../api/api';

/** id → e-mail of the tenant's members, to show who uploaded or decided. */
export function useMemberEmails(): Record<string, string> {
  const { data } = useGetMembersQuery();
  return useMemo(() => Object.fromEntries((data?.results ?? []).map((member) => [member.id, member.email])), [data]);
}
