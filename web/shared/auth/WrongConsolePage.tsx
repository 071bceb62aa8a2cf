// Each console is for one kind of person: the admin console for platform staff, the partner portal
// for people who work for a reseller. Anyone else who signs in there is told plainly where they
// belong instead of being shown a console whose every call the API would refuse. The API's
// authorisation is what protects the data; this page is for people, not a security boundary.
import type { Session } from '../api/types.js';
import { ImpersonationBanner } from '../components/ImpersonationBanner.js';
import { AuthCard } from './AuthCard.js';

export type Audience = 'staff' | 'partner';

/** The partner roles of src/modules/identity/access/builtin-roles.ts. */
const PARTNER_ROLES: readonly string[] = ['partner-admin', 'partner-agent'];

export function admits(audience: Audience, session: Session): boolean {
  return audience === 'staff' ? session.user.platformRole !== null : session.tenantRole !== null && PARTNER_ROLES.includes(session.tenantRole);
}

const FOR_WHOM: Record<Audience, { title: string; who: string }> = {
  staff: { title: 'This console is for platform staff', who: 'The admin console is for the people who run this platform.' },
  partner: { title: 'This console is for partners', who: 'The partner portal is for people who work for a reseller (partner administrators and agents) in their partner organisation.' },
};

export function WrongConsolePage({ appLabel, audience, session }: { appLabel: string; audience: Audience; session: Session }) {
  const { title, who } = FOR_WHOM[audience];
  // Staff who open the partner portal belong in the admin console; everyone else in the customer portal.
  const home = session.user.platformRole !== null && !session.impersonatedBy ? { href: '/admin/', label: 'Go to the admin console' } : { href: '/portal/', label: 'Go to the customer portal' };
  return (
    <>
      <ImpersonationBanner />
      <AuthCard appLabel={appLabel} title={title} subtitle={`You are signed in as ${session.user.email}. ${who}`}>
        <a className="button button-primary button-block" href={home.href}>
          {home.label}
        </a>
      </AuthCard>
    </>
  );
}
