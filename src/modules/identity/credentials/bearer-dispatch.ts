// Bearer credentials come in several kinds (API keys now; OAuth access tokens next). Each kind is
// recognised by its shape, without a lookup, and resolved by its own resolver; a token no resolver
// recognises is refused.
import type { Authentication, Authenticators } from '../../../kernel/authentication.js';

export interface BearerResolver {
  /** True when the token is of this resolver's kind (e.g. starts with `pk_`). */
  accepts(token: string): boolean;
  resolve(token: string): Promise<Authentication | undefined>;
}

export function dispatchBearer(resolvers: readonly BearerResolver[]): NonNullable<Authenticators['bearer']> {
  return async (token) => resolvers.find((resolver) => resolver.accepts(token))?.resolve(token);
}
