// The pages every app shows without a session: "forgot password" and the targets of the links the
// platform mails (src/modules/identity/accounts/email-tokens.ts builds them as /<app>/reset-password#token=…
// and /<app>/verify-email#token=…). Each app lists these before its session gate.
import { Route } from 'react-router';
import { ForgotPasswordPage } from './ForgotPasswordPage.js';
import { ResetPasswordPage } from './ResetPasswordPage.js';
import { VerifyEmailPage } from './VerifyEmailPage.js';

export function publicAuthRoutes(appLabel: string) {
  return [
    <Route key="forgot-password" path="/forgot-password" element={<ForgotPasswordPage appLabel={appLabel} />} />,
    <Route key="reset-password" path="/reset-password" element={<ResetPasswordPage appLabel={appLabel} />} />,
    <Route key="verify-email" path="/verify-email" element={<VerifyEmailPage appLabel={appLabel} />} />,
  ];
}
