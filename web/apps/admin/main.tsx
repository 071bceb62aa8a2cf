// The administrator console: platform staff manage tenants here.
import { mountApp } from '../../shared/app/mount.js';
import { AdminApp } from './AdminApp.js';

mountApp('admin', <AdminApp />);
