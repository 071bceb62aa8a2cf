// The customer portal: where a tenant's people buy, track orders and pay, and where the tenant's
// owners and admins administer who may do what.
import { mountApp } from '../../shared/app/mount.js';
import { PortalApp } from './PortalApp.js';

mountApp('portal', <PortalApp />);
