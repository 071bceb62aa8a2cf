// Routes of the customer portal. Accepting an invitation, "forgot password" and the pages of mailed
// links are public; everything else is behind the sign-in gate. Products, orders and invoices arrive with the catalog, ordering and billing modules.
// "Organisation" (tenant administration) is in the menu only for people the server lets administer
// some part of the tenant they work in.
import { Navigate, Route, Routes } from 'react-router';
import { SessionGate } from '../../shared/auth/SessionGate.js';
import { AppShell } from '../../shared/components/AppShell.js';
import { ComingSoon } from '../../shared/components/ComingSoon.js';
import { PageHeader } from '../../shared/components/PageHeader.js';
import { AccountRoutes } from '../../shared/account/AccountRoutes.js';
import { publicAuthRoutes } from '../../shared/auth/public-routes.js';
import { AcceptInvitationPage } from './AcceptInvitationPage.js';
import { OrganizationRoutes } from './organization/OrganizationRoutes.js';
import { OrganizationAccessProvider, useOrganizationAccess } from './organization/access.js';

const APP_LABEL = 'Customer portal';

const UPCOMING = [
  { path: 'products', title: 'Products', description: 'Browse the plans and services your organisation can subscribe to. This section arrives with the product catalog.' },
  { path: 'orders', title: 'Orders', description: 'Place orders and follow their provisioning. This section arrives with ordering.' },
  { path: 'invoices', title: 'Invoices', description: 'See and download your invoices and payment history. This section arrives with billing.' },
];

export function PortalApp() {
  return (
    <Routes>
      <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
      {publicAuthRoutes(APP_LABEL)}
      <Route
        path="*"
        element={
          <SessionGate appLabel={APP_LABEL}>
            <OrganizationAccessProvider>
              <SignedInPortal />
            </OrganizationAccessProvider>
          </SessionGate>
        }
      />
    </Routes>
  );
}

function SignedInPortal() {
  const { sections } = useOrganizationAccess();
  const nav = [
    ...UPCOMING.map((section) => ({ to: `/${section.path}`, label: section.title })),
    ...(sections.length > 0 ? [{ to: '/organization', label: 'Organisation' }] : []),
    { to: '/account', label: 'Account' },
  ];
  return (
    <AppShell appLabel={APP_LABEL} nav={nav}>
      <Routes>
        <Route index element={<Navigate to="/products" replace />} />
        {UPCOMING.map((section) => (
          <Route
            key={section.path}
            path={`/${section.path}`}
            element={
              <>
                <PageHeader title={section.title} />
                <ComingSoon title={section.title} description={section.description} />
              </>
            }
          />
        ))}
        <Route path="/organization/*" element={<OrganizationRoutes />} />
        <Route path="/account/*" element={<AccountRoutes />} />
        <Route path="*" element={<PageHeader title="Page not found" subtitle="Choose a section from the menu." />} />
      </Routes>
    </AppShell>
  );
}
