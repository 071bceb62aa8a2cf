// Lifecycle actions on a tenant (suspend, reactivate, activate, terminate), each confirmed in a
// dialog first. Which buttons show follows the status; the server still decides and answers 409
// with the current status if the tenant moved on in the meantime.
import { useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Tenant, TenantStatus } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { Field } from '../../../shared/components/Field.js';
import { type TenantTransition, type TenantVersion } from '../../../shared/features/tenants/use-tenants.js';

type Transition = TenantTransition;

interface TransitionSpec {
  label: string;
  /** Said once the server has done it. */
  done: string;
  from: TenantStatus[];
  title: string;
  explanation: string;
  reason: 'required' | 'optional';
  tone: 'primary' | 'danger';
  /** Final actions ask the user to type the tenant's domain, so a stray click cannot do them. */
  typeToConfirm?: boolean;
}

const TRANSITIONS: Record<Transition, TransitionSpec> = {
  activate: {
    label: 'Activate',
    done: 'Tenant activated.',
    from: ['pending'],
    title: 'Activate this tenant?',
    explanation: 'Its users can sign in and use the platform from now on.',
    reason: 'optional',
    tone: 'primary',
  },
  suspend: {
    label: 'Suspend',
    done: 'Tenant suspended.',
    from: ['active'],
    title: 'Suspend this tenant?',
    explanation: 'Its users lose access until the tenant is reactivated. Nothing is deleted. The reason is kept with the tenant and in its audit trail.',
    reason: 'required',
    tone: 'danger',
  },
  reactivate: {
    label: 'Reactivate',
    done: 'Tenant reactivated.',
    from: ['suspended'],
    title: 'Reactivate this tenant?',
    explanation: 'Its users regain access right away.',
    reason: 'optional',
    tone: 'primary',
  },
  terminate: {
    label: 'Terminate',
    done: 'Tenant terminated.',
    from: ['pending', 'active', 'suspended'],
    title: 'Terminate this tenant?',
    explanation: 'Termination is final: the tenant can never be reactivated or changed again. Its data is kept.',
    reason: 'optional',
    tone: 'danger',
    typeToConfirm: true,
  },
};

export function TenantActions({ tenant, transition, onChanged }: { tenant: Tenant; transition(action: Transition, reason: string | undefined): Promise<TenantVersion>; onChanged(version: TenantVersion, message: string): void }) {
  const [open, setOpen] = useState<Transition | null>(null);
  const [reason, setReason] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const available = (Object.keys(TRANSITIONS) as Transition[]).filter((transition) => TRANSITIONS[transition].from.includes(tenant.status));

  function openDialog(transition: Transition) {
    setReason('');
    setConfirmation('');
    setError(null);
    setOpen(transition);
  }

  async function confirm() {
    if (!open) return;
    setBusy(true);
    setError(null);
    try {
      const version = await transition(open, reason.trim() || undefined);
      setOpen(null);
      onChanged(version, TRANSITIONS[open].done);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const spec = open ? TRANSITIONS[open] : undefined;
  const reasonMissing = spec?.reason === 'required' && reason.trim() === '';
  const notConfirmed = spec?.typeToConfirm === true && confirmation.trim().toLowerCase() !== tenant.domain;

  return (
    <>
      {available.map((transition) => (
        <button
          key={transition}
          type="button"
          className={TRANSITIONS[transition].tone === 'danger' ? 'button button-danger-outline' : 'button'}
          onClick={() => openDialog(transition)}
        >
          {TRANSITIONS[transition].label}
        </button>
      ))}
      <ConfirmDialog
        open={open !== null}
        title={spec?.title ?? ''}
        confirmLabel={spec?.label ?? ''}
        tone={spec?.tone}
        busy={busy}
        confirmDisabled={reasonMissing || notConfirmed}
        error={error}
        onConfirm={confirm}
        onCancel={() => setOpen(null)}
      >
        {spec && (
          <>
            <p className="muted">
              <strong>{tenant.organizationName}</strong> ({tenant.domain}). {spec.explanation}
            </p>
            <Field id={`${open}-reason`} label="Reason" optional={spec.reason === 'optional'} hint="Up to 500 characters.">
              <textarea
                id={`${open}-reason`}
                className="textarea"
                maxLength={500}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                autoFocus
              />
            </Field>
            {spec.typeToConfirm && (
              <Field id={`${open}-confirmation`} label={`Type ${tenant.domain} to confirm`}>
                <input
                  id={`${open}-confirmation`}
                  className="input"
                  value={confirmation}
                  onChange={(event) => setConfirmation(event.target.value)}
                  autoComplete="off"
                />
              </Field>
            )}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
