// Lists typed into one field (scopes): separated by commas, spaces or lines.

/** "billing:*, tenants:tenant.read" → ['billing:*', 'tenants:tenant.read']; empty text → []. */
export function parseList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
