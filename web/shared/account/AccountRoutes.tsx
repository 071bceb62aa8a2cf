// The signed-in person's own account, the same in every app: profile, password, MFA, sessions and
// personal API keys. Mounted under /account by each app.
import { PageHeader } from '../components/PageHeader.js';
import { ComingSoon } from '../components/ComingSoon.js';

export function AccountRoutes() {
  return (
    <>
      <PageHeader title="Your account" />
      <ComingSoon title="Account pages" description="Profile, password, MFA, sessions and personal API keys." />
    </>
  );
}
