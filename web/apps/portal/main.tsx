// The customer portal: where a tenant's people will buy, track orders and pay. Sign-in, accepting
// an invitation and the frame are real today; the sections arrive with the catalog, ordering and
// billing modules.
import { Route, Routes } from 'react-router';
import { mountApp } from '../../shared/app/mount.js';
import { PlaceholderSectionsApp } from '../../shared/app/PlaceholderSectionsApp.js';
import { AcceptInvitationPage } from './AcceptInvitationPage.js';

mountApp(
  'portal',
  <Routes>
    <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
    <Route
      path="*"
      element={
        <PlaceholderSectionsApp
          appLabel="Customer portal"
          sections={[
            { path: 'products', title: 'Products', description: 'Browse the plans and services your organisation can subscribe to. This section arrives with the product catalog.' },
            { path: 'orders', title: 'Orders', description: 'Place orders and follow their provisioning. This section arrives with ordering.' },
            { path: 'invoices', title: 'Invoices', description: 'See and download your invoices and payment history. This section arrives with billing.' },
          ]}
        />
      }
    />
  </Routes>,
);
