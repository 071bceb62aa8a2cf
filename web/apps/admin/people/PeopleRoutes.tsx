// Platform staff, every user account, impersonation and the mail outbox. Mounted under /people and
// /mail by the admin console.
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { ComingSoon } from '../../../shared/components/ComingSoon.js';

export function PeopleRoutes() {
  return (
    <>
      <PageHeader title="People" />
      <ComingSoon title="Staff and users" description="Platform staff, all users and impersonation." />
    </>
  );
}

export function MailOutboxRoutes() {
  return (
    <>
      <PageHeader title="Mail outbox" />
      <ComingSoon title="Outgoing mail" description="Mail the platform stored instead of sending it." />
    </>
  );
}
