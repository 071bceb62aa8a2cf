// Versions as entity tags: every document or part with its own version (a tenant, its
// authentication settings, its identity providers) is read with `ETag: "v<version>"` and changed
// with `If-Match`, refused with 412 when the version moved on.

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** True when an If-Match header (absent = unconditional) accepts this version. */
export function ifMatchAccepts(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined) return true;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etagOf(version));
}
