// Routes of the admin console. "Forgot password" and the pages of mailed links are public;
// everything else is behind the sign-in gate.
import { Link, Navigate, Route, Routes } from 'react-router';
import { SessionGate } from '../../shared/auth/SessionGate.js';
import { publicAuthRoutes } from '../../shared/auth/public-routes.js';
import { AppShell } from '../../shared/components/AppShell.js';
import { PageHeader } from '../../shared/components/PageHeader.js';
import { TenantsPage } from './tenants/TenantsPage.js';
import { CreateTenantPage } from './tenants/CreateTenantPage.js';
import { TenantDetailPage } from './tenants/TenantDetailPage.js';
import { AccountRoutes } from '../../shared/account/AccountRoutes.js';
import { PeopleRoutes } from './people/PeopleRoutes.js';
import { MailOutboxRoutes } from './mail/MailOutboxRoutes.js';
import { CatalogRoutes } from './catalog/CatalogRoutes.js';
import { OrdersPage } from './orders/OrdersPage.js';
import { OrderDetailPage } from './orders/OrderDetailPage.js';
import { PendingApprovalCount } from './orders/PendingApprovalCount.js';

const APP_LABEL = 'Admin console';

export function AdminApp() {
  return (
    <Routes>
      {publicAuthRoutes(APP_LABEL)}
      <Route
        path="*"
        element={
          <SessionGate appLabel={APP_LABEL} audience="staff">
            <AppShell
              appLabel={APP_LABEL}
              nav={[
                { to: '/tenants', label: 'Tenants' },
                { to: '/catalog', label: 'Catalog' },
                // The Orders page opens on what waits for approval: the count beside it.
                { to: '/orders', label: 'Orders', badge: <PendingApprovalCount /> },
                { to: '/people', label: 'People' },
                { to: '/mail', label: 'Mail outbox' },
                { to: '/account', label: 'Account' },
              ]}
            >
              <Routes>
                <Route index element={<Navigate to="/tenants" replace />} />
                <Route path="/tenants" element={<TenantsPage />} />
                <Route path="/tenants/new" element={<CreateTenantPage />} />
                <Route path="/tenants/:id" element={<TenantDetailPage />} />
                <Route path="/catalog/*" element={<CatalogRoutes />} />
                <Route path="/orders" element={<OrdersPage />} />
                <Route path="/orders/:id" element={<OrderDetailPage />} />
                <Route path="/people/*" element={<PeopleRoutes />} />
                <Route path="/mail/*" element={<MailOutboxRoutes />} />
                <Route path="/account/*" element={<AccountRoutes />} />
                <Route path="*" element={<PageHeader title="Page not found" subtitle={<Link to="/tenants">Go to the tenants list</Link>} />} />
              </Routes>
            </AppShell>
          </SessionGate>
        }
      />
    </Routes>
  );
}
