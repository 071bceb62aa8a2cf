// The partner portal: where resellers will manage the customers they bring and the commission they
// earn. Sign-in and the frame are real today; the sections arrive with the partner module.
import { mountApp } from '../../shared/app/mount.js';
import { PlaceholderSectionsApp } from '../../shared/app/PlaceholderSectionsApp.js';

mountApp(
  'partner',
  <PlaceholderSectionsApp
    appLabel="Partner portal"
    audience="partner"
    sections={[
      { path: 'customers', title: 'Customers', description: 'Onboard and manage the customer organisations you serve. This section arrives with the partner module.' },
      { path: 'commissions', title: 'Commissions', description: 'Follow the commission you earn on your customers’ subscriptions. This section arrives with partner billing.' },
    ]}
  />,
);
