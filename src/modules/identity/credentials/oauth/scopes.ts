// OAuth scopes of the Platforma API and the actions they allow. A scope only narrows: a token may
// perform an action when its role's policies allow it AND one of its scopes' patterns matches.
//   <service>:read  → <service>:*.read, <service>:*.list
//   <service>:write → <service>:*  (reads and writes of that service)
// OpenID scopes (openid, email, offline_access) allow no API action.
export const API_SERVICES = ['tenants', 'identity', 'notifications', 'billing', 'instances', 'deployments'] as const;

export const API_SCOPES: readonly string[] = API_SERVICES.flatMap((service) => [`${service}:read`, `${service}:write`]);

export const OPENID_SCOPES = ['openid', 'email', 'offline_access'] as const;

export const SCOPE_DESCRIPTIONS: Record<string, string> = Object.fromEntries([
  ...API_SERVICES.flatMap((service) => [
    [`${service}:read`, `Read ${service}`],
    [`${service}:write`, `Read and change ${service}`],
  ]),
  ['openid', 'Know who you are'],
  ['email', 'See your email address'],
  ['offline_access', 'Keep access while you are away (refresh tokens)'],
]);

export function isApiScope(scope: string): boolean {
  return API_SCOPES.includes(scope);
}

/** The action patterns a set of granted scopes allows (the principal's `scopes`). */
export function actionPatternsFor(scopes: string[]): string[] {
  const patterns = new Set<string>();
  for (const scope of scopes) {
    if (!isApiScope(scope)) continue;
    const [service, access] = scope.split(':') as [string, 'read' | 'write'];
    if (access === 'write') patterns.add(`${service}:*`);
    else {
      patterns.add(`${service}:*.read`);
      patterns.add(`${service}:*.list`);
    }
  }
  return [...patterns];
}
