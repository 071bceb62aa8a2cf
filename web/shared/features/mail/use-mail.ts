// The mail outbox (what the platform sent or tried to send), a page at a time, and one message.
import { api, unwrap } from '../../api/client.js';
import type { MailMessage, MailStatus, MailSummary } from '../../api/types.js';
import { useResource, type Resource } from '../../api/use-resource.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

export interface MailFilter {
  to?: string;
  status?: MailStatus | undefined;
}

/** Key the list by its filter to start again from the first page. */
export function useMailPages(filter: MailFilter, pageSize = 25): CursorPages<MailSummary> {
  return useCursorPages<MailSummary>(async (cursor) => (await unwrap(api.GET('/api/v1/mail', { params: { query: { to: filter.to || undefined, status: filter.status, cursor, limit: pageSize } } }))).data);
}

export function useMailMessage(id: string): Resource<MailMessage> {
  return useResource(async () => (await unwrap(api.GET('/api/v1/mail/{id}', { params: { path: { id } } }))).data, [id]);
}
