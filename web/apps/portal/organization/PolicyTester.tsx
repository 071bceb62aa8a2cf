// "Test this policy": asks the server how the statements being edited would decide one request
// (POST /api/v1/tenants/{id}/roles/simulate), before they are saved. Only the draft counts, not
// the tester's own role; the answer names the statements that decided.
import { useId, useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import type { Statement } from '../../../shared/tenant-access/tenant-roles.js';
import { useRoleActions } from '../../../shared/features/identity/use-tenant-access.js';

type Decision = { allowed: boolean; reason: 'allow' | 'explicit-deny' | 'implicit-deny'; matched: { sid: string; effect: string }[] };

interface PolicyTesterProps {
  tenantId: string;
  statements(): Statement[];
  /** Problems with the draft itself go to the editor, next to the statement they concern. */
  onDraftInvalid(error: ApiError): void;
}

function sentence(decision: Decision): string {
  const named = decision.matched.map((m) => m.sid).join(', ');
  if (decision.reason === 'allow') return `Allowed, by ${named}.`;
  if (decision.reason === 'explicit-deny') return `Denied: ${named} denies it (a deny wins over any allow).`;
  return 'Denied: no statement allows it.';
}

export function PolicyTester({ tenantId, statements, onDraftInvalid }: PolicyTesterProps) {
  const [action, setAction] = useState('');
  const roleActions = useRoleActions(tenantId);
  const [resource, setResource] = useState(`prn:${tenantId}:member/*`);
  const [mfa, setMfa] = useState(false);
  const [sourceIp, setSourceIp] = useState('');
  const [decision, setDecision] = useState<Decision | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();

  const fieldError = (field: string) => (error ? error.fieldErrors[`/${field}`] : undefined);

  async function test() {
    setBusy(true);
    setError(null);
    setDecision(null);
    try {
      const body = { statements: statements(), action: action.trim(), resource: resource.trim(), mfa, ...(sourceIp.trim() ? { sourceIp: sourceIp.trim() } : {}) };
      const data = await roleActions.simulate(body);
      setDecision(data);
    } catch (caught) {
      const apiError = toApiError(caught);
      if (Object.keys(apiError.fieldErrors).some((pointer) => pointer.startsWith('/statements'))) onDraftInvalid(apiError);
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  const unmatched = error && !['/action', '/resource', '/sourceIp'].some((pointer) => error.fieldErrors[pointer]);
  return (
    // A form of its own would nest inside the editor's form; a section with its own submit button does the same job.
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>Test this policy</h2>
          <p>How the statements above would decide one request, before you save them. Your own role does not count here.</p>
        </div>
      </div>
      <div className="card-body form">
        {unmatched && <ErrorAlert error={error} />}
        <div className="form-grid">
          <Field id="policy-test-action" label="Action" error={fieldError('action') && 'Enter one action such as identity:member.list (no wildcards).'}>
            <input id="policy-test-action" className="input mono" list="action-suggestions" value={action} onChange={(event) => setAction(event.target.value)} aria-describedby={describedBy('policy-test-action')} />
          </Field>
          <Field id="policy-test-resource" label="Resource" error={fieldError('resource') && 'Enter a resource such as prn:<tenant>:member/<id>.'}>
            <input id="policy-test-resource" className="input mono" value={resource} onChange={(event) => setResource(event.target.value)} aria-describedby={describedBy('policy-test-resource')} />
          </Field>
          <Field id="policy-test-sourceIp" label="From address" optional error={fieldError('sourceIp')} hint="Leave empty for the address you use now.">
            <input id="policy-test-sourceIp" className="input mono" value={sourceIp} onChange={(event) => setSourceIp(event.target.value)} placeholder="10.1.2.3" aria-describedby={describedBy('policy-test-sourceIp')} />
          </Field>
          <div className="field">
            <span className="field-label">Multi-factor authentication</span>
            <label>
              <input type="checkbox" checked={mfa} onChange={(event) => setMfa(event.target.checked)} /> Signed in with MFA
            </label>
          </div>
        </div>
        {decision && (
          <div className={decision.allowed ? 'alert alert-success' : 'alert alert-warning'} role="status">
            {sentence(decision)}
          </div>
        )}
      </div>
      <div className="card-footer">
        <button type="button" className="button" onClick={test} disabled={busy}>
          {busy ? 'Testing…' : 'Test'}
        </button>
      </div>
    </section>
  );
}
