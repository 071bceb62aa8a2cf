// Routes of the customer portal. Accepting an invitation, "forgot password" and the pages of mailed
// links are public; everything else is behind the sign-in gate. Invoices arrive with billing.
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
import { CatalogPage } from './shop/CatalogPage.js';
import { ProductPage } from './shop/ProductPage.js';
import { CartPage } from './shop/CartPage.js';
import { OrdersPage } from './shop/OrdersPage.js';
import { OrderDetailPage } from './shop/OrderDetailPage.js';

const APP_LABEL = 'Customer portal';

const UPCOMING = [
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
    { to: '/products', label: 'Products' },
    { to: '/cart', label: 'Cart' },
    { to: '/orders', label: 'Orders' },
    ...UPCOMING.map((section) => ({ to: `/${section.path}`, label: section.title })),
    ...(sections.length > 0 ? [{ to: '/organization', label: 'Organisation' }] : []),
    { to: '/account', label: 'Account' },
  ];
  return (
    <AppShell appLabel={APP_LABEL} nav={nav}>
      <Routes>
        <Route index element={<Navigate to="/products" replace />} />
        <Route path="/products" element={<CatalogPage />} />
        <Route path="/products/:id" element={<ProductPage />} />
        <Route path="/cart" element={<CartPage />} />
        <Route path="/orders" element={<OrdersPage />} />
        <Route path="/orders/:id" element={<OrderDetailPage />} />
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
