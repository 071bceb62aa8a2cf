// Forced enrolment: multi-factor authentication is mandatory for this account (platform staff, or a
// tenant that requires it) and not set up yet. Shows the QR code and the secret, takes a first code,
// then shows the recovery codes exactly once before letting the person in.
import { useState } from 'react';
import { AuthCard } from './AuthCard.js';
import { RecoveryCodeList, TotpEnrolmentForm } from './TotpEnrolment.js';
import { useSession } from './session.js';

export function MfaEnrolPage({ appLabel, email }: { appLabel: string; email: string }) {
  const { refresh } = useSession();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  if (recoveryCodes) {
    return (
      <AuthCard appLabel={appLabel} title="Save your recovery codes" subtitle="If you lose your authenticator, each of these codes signs you in once. They are shown only now.">
        <div className="form">
          <RecoveryCodeList codes={recoveryCodes} />
          <button className="button button-primary button-block" type="button" onClick={() => void refresh()}>
            I have saved them — continue
          </button>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard appLabel={appLabel} title="Set up two-step verification" subtitle={`Two-step verification is required for ${email}. Scan the code with an authenticator app, then enter the code it shows.`}>
      <TotpEnrolmentForm onConfirmed={setRecoveryCodes} />
    </AuthCard>
  );
}
