// Tenant administration for the people whose role allows it: members, invitations, roles, service
// API keys, OAuth clients and single sign-on, each a section of the sub-navigation. Mounted under
// /organization. Which sections exist for someone is the server's answer (access.tsx); a section
// their role does not allow shows the no-access page, whatever the address says.
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { LoadingScreen } from '../../../shared/components/LoadingScreen.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { ORGANIZATION_SECTIONS, useOrganizationAccess } from './access.js';
import { NoAccess } from './NoAccess.js';
import { MembersPage } from './MembersPage.js';
import { InvitationsPage } from './InvitationsPage.js';
import { RolesPage } from './RolesPage.js';
import { RoleEditorPage } from './RoleEditorPage.js';
import { ApiKeysPage } from './ApiKeysPage.js';
import { OAuthClientsPage } from './OAuthClientsPage.js';
import { IdentityProvidersPage } from './IdentityProvidersPage.js';
import './organization.css';

export function OrganizationRoutes() {
  const { access, can, sections } = useOrganizationAccess();
  const { pathname } = useLocation();
  // /organization/<section>/…: the section the address asks for.
  const requested = ORGANIZATION_SECTIONS.find((section) => section.path === pathname.split('/')[2]);

  if (access.status === 'loading') return <LoadingScreen />;
  if (access.status === 'failed') {
    return (
      <>
        <PageHeader title="Organisation" />
        <ErrorAlert error={access.error} />
      </>
    );
  }

  const tenantId = access.tenantId;
  const header = <PageHeader title="Organisation" subtitle={access.organizationName ?? undefined} />;
  if (tenantId === null || sections.length === 0 || (requested && !can(requested.action))) {
    return (
      <>
        {header}
        {tenantId !== null && sections.length > 0 && <SubNav />}
        <NoAccess organizationName={access.organizationName} hasTenant={tenantId !== null} />
      </>
    );
  }

  return (
    <>
      {header}
      <SubNav />
      <Routes>
        <Route index element={<Navigate to={sections[0]?.path ?? 'members'} replace />} />
        <Route path="members" element={<MembersPage tenantId={tenantId} organizationName={access.organizationName} />} />
        <Route path="invitations" element={<InvitationsPage tenantId={tenantId} />} />
        <Route path="roles" element={<RolesPage tenantId={tenantId} />} />
        <Route path="roles/new" element={<RoleEditorPage tenantId={tenantId} />} />
        <Route path="roles/:roleId" element={<RoleEditorPage tenantId={tenantId} />} />
        <Route path="api-keys" element={<ApiKeysPage tenantId={tenantId} />} />
        <Route path="oauth-clients" element={<OAuthClientsPage tenantId={tenantId} />} />
        <Route path="sso" element={<IdentityProvidersPage tenantId={tenantId} />} />
        <Route path="*" element={<PageHeader title="Page not found" subtitle="Choose a section from the menu above." />} />
      </Routes>
    </>
  );
}

function SubNav() {
  const { sections } = useOrganizationAccess();
  return (
    <nav className="subnav" aria-label="Organisation">
      {sections.map((section) => (
        <NavLink key={section.path} to={`/organization/${section.path}`} className="subnav-link">
          {section.label}
        </NavLink>
      ))}
    </nav>
  );
}
