// The API side of OAuth: `Authorization: Bearer <JWT access token>` becomes a principal. The token
// must carry our signature, issuer and API audience and be unexpired; it must still be on record
// (revocation deletes it, so a revoked token fails on the very next call); its client must still
// exist in the tenant the token names. The principal works in that tenant only, with the
// policies of the client's role (client credentials) or of the user's current membership role
// (authorization code), narrowed by the token's scopes (scopes.ts).
import { jwtVerify, type JWTPayload } from 'jose';
import type { Kernel } from '../../../../kernel/kernel.js';
import { inTransaction } from '../../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../../kernel/use-case.js';
import type { Principal } from '../../../../kernel/context.js';
import type { Authentication } from '../../../../kernel/authentication.js';
import { IdentityRepository } from '../../accounts/repository.js';
import { policiesFor } from '../../access/builtin-roles.js';
import { OAuthRepository } from './repository.js';
import type { AuthorizationServer } from './authorization-server.js';
import { actionPatternsFor } from './scopes.js';

const JWT_SHAPED = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface AccessTokenClaims extends JWTPayload {
  client_id?: string;
  tenant_id?: string;
  scope?: string;
}

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPED.test(token);
}

export class OAuthBearer {
  readonly #oauth = new OAuthRepository();
  readonly #identity = new IdentityRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'db'>,
    private readonly server: AuthorizationServer,
  ) {}

  /** The authentication for an access token, or undefined when it is not one we accept. */
  async authenticate(token: string): Promise<Authentication | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    let claims: AccessTokenClaims;
    try {
      ({ payload: claims } = await jwtVerify<AccessTokenClaims>(token, await this.server.verifyKeys(), {
        issuer: this.server.issuer,
        audience: this.server.audience,
        typ: 'at+jwt',
        algorithms: ['RS256'],
        currentDate: this.kernel.clock.now(),
        requiredClaims: ['jti', 'exp', 'sub', 'client_id', 'tenant_id'],
      }));
    } catch {
      return undefined;
    }
    const { jti, sub, client_id: clientId, tenant_id: tenantId, exp } = claims as Required<AccessTokenClaims>;
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      if (!(await this.#oauth.isTokenLive(tx, jti, now))) return undefined;
      const client = await this.#oauth.findClient(tx, clientId);
      if (!client || client.tenant_id !== tenantId) return undefined;
      let principal: Omit<Principal, 'policies'>;
      let role: string;
      if (sub === clientId) {
        role = client.role;
        principal = this.#principal({ userId: client.id, email: `${client.name} (OAuth client ${client.id})`, subjectId: client.id });
      } else {
        // Acting for a person: with the role they hold in the client's tenant today.
        const membership = await this.#identity.findMembership(tx, tenantId, sub);
        const user = await this.#identity.findUser(tx, sub);
        if (!membership || !user) return undefined;
        role = membership.role;
        principal = this.#principal({ userId: user.id, email: user.email, subjectId: `${client.id}/${user.id}` });
      }
      const custom = role.startsWith('role_') ? await this.#identity.findRole(tx, tenantId, role) : undefined;
      // Never platform staff powers, never partner customers: one tenant, one role.
      const policies = policiesFor({ platformRole: null, tenantRole: role, customStatements: custom?.statements ?? null, partnerCustomers: [] }).filter((p) => p.name !== 'self-service');
      return {
        principal: { ...principal, tenantId, tenantRole: role, policies, scopes: actionPatternsFor((claims.scope ?? '').split(' ')) },
        csrfToken: null,
        expiresAt: new Date(exp * 1000),
        restriction: null,
      };
    });
  }

  #principal(who: { userId: string; email: string; subjectId: string }): Omit<Principal, 'policies'> {
    return { ...who, platformRole: null, tenantId: null, tenantRole: null, method: 'oauth', sessionId: null, mfa: false, scopes: [] };
  }
}
