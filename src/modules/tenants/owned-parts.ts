// Parts of the tenant document that other modules own (ADR 0017). The API still shows the seed's
// TenantDocument whole; the tenants module stores only its own members and composes the rest on
// read from the owners, through these ports. Each owner (a module that requires tenants in its
// manifest) registers its implementation when the registry builds it, so tenants never imports the
// module that owns a part.
import type { Tx } from '../../kernel/db/database.js';
import type { AuthenticationSettings, AuthenticationSettingsPatch } from './schemas.js';

/** settings.authentication: identity's (password policy, mandatory MFA, identity providers). */
export interface TenantAuthenticationPart {
  /**
   * The part of each of these tenants, read in the caller's transaction so one view is one snapshot.
   * A tenant whose owner stored nothing yet gets the owner's defaults.
   */
  read(tx: Tx, tenantIds: string[]): Promise<Map<string, AuthenticationSettings>>;
  /**
   * Applies a merge patch sent with the tenant (its creation, or the combined PATCH kept for
   * clients of the whole document) inside that change's transaction; the owner validates it and
   * moves its own version. The part's own endpoint is the owner's, with its own ETag.
   */
  write(tx: Tx, tenantId: string, patch: AuthenticationSettingsPatch): Promise<void>;
}

export interface TenantDocumentParts {
  authentication: TenantAuthenticationPart;
}
