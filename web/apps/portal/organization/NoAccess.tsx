// What someone sees who opens an organisation page their role does not allow (by a link or by
// typing the address): a plain statement, not an empty or broken page.
import { useId } from 'react';

export function NoAccess({ organizationName, hasTenant }: { organizationName: string | null; hasTenant: boolean }) {
  const titleId = useId();
  return (
    <section className="card no-access" aria-labelledby={titleId}>
      <div className="card-body stack">
        <h2 id={titleId}>You do not have access to this page</h2>
        {hasTenant ? (
          <p className="muted">
            Administering {organizationName ?? 'this organisation'} — its members, invitations, roles, API keys, OAuth clients and single sign-on — is for people whose role
            allows it. Ask one of its owners or administrators if you need access.
          </p>
        ) : (
          <p className="muted">You are not working in an organisation right now, so there is nothing to administer here.</p>
        )}
      </div>
    </section>
  );
}
