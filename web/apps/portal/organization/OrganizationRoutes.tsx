// Tenant administration for the tenant's owners and admins: members, invitations, roles, SSO
// providers, service API keys and OAuth clients. Mounted under /organization.
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { ComingSoon } from '../../../shared/components/ComingSoon.js';

export function OrganizationRoutes() {
  return (
    <>
      <PageHeader title="Organisation" />
      <ComingSoon title="Organisation settings" description="Members, invitations, roles, SSO, API keys and OAuth clients." />
    </>
  );
}
