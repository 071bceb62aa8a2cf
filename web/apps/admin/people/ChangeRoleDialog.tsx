// Grants, changes or revokes a platform role after a confirmation that says what follows: every
// session of the person ends, and staff must set up a second factor when they sign in again.
import { useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { PLATFORM_ROLES, type PlatformRole } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { Field } from '../../../shared/components/Field.js';
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from './roles.js';
import { useUserActions } from '../../../shared/features/identity/use-users.js';

export interface RoleTarget {
  id: string;
  email: string;
  platformRole: PlatformRole | null;
}

/** The role select's value for "not staff". */
const NONE = '';

export function ChangeRoleDialog({ target, onClose, onChanged }: { target: RoleTarget | null; onClose(): void; onChanged(message: string): void }) {
  const users = useUserActions();
  const [role, setRole] = useState<string>(NONE);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [openFor, setOpenFor] = useState<string | null>(null);

  // A newly opened dialog starts from the person's current role.
  if (target && openFor !== target.id) {
    setOpenFor(target.id);
    setRole(target.platformRole ?? NONE);
    setError(null);
  }
  if (!target && openFor !== null) setOpenFor(null);

  const chosen = (PLATFORM_ROLES as readonly string[]).includes(role) ? (role as PlatformRole) : null;
  const unchanged = target !== null && chosen === target.platformRole;

  async function confirm() {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      const data = await users.setPlatformRole(target.id, chosen);
      const what = data.platformRole ? `${target.email} is now ${ROLE_LABELS[data.platformRole]}.` : `${target.email} is no longer staff.`;
      const ended = data.sessionsEnded === 1 ? '1 session was ended.' : `${data.sessionsEnded} sessions were ended.`;
      onChanged(`${what} ${ended}`);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog
      open={target !== null}
      title="Change platform role"
      confirmLabel={chosen ? 'Change role' : 'Remove from staff'}
      tone={chosen ? 'primary' : 'danger'}
      busy={busy}
      confirmDisabled={unchanged}
      error={error}
      onConfirm={confirm}
      onCancel={onClose}
    >
      {target && (
        <>
          <p className="muted">
            <strong>{target.email}</strong>. Changing the role ends every session of theirs: they sign in again, and staff must set up an authenticator app
            (multi-factor authentication) at their next sign-in if they have none.
          </p>
          <Field id="role-dialog-role" label="Platform role" hint={chosen ? ROLE_DESCRIPTIONS[chosen] : 'An ordinary account: only their tenants’ access.'}>
            <select id="role-dialog-role" className="select" value={role} onChange={(event) => setRole(event.target.value)}>
              <option value={NONE}>Not staff</option>
              {PLATFORM_ROLES.map((option) => (
                <option key={option} value={option}>
                  {ROLE_LABELS[option]}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
    </ConfirmDialog>
  );
}
