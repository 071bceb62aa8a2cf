// Where single sign-on lives on the public URL: one path per tenant and provider.
export const SSO_PATH = '/api/v1/auth/sso';

export function ssoUrls(publicUrl: string, tenantId: string, providerId: string) {
  const base = `${publicUrl}${SSO_PATH}/${tenantId}/${providerId}`;
  return { start: `${SSO_PATH}/${tenantId}/${providerId}/start`, callback: `${base}/callback`, acs: `${base}/acs`, metadata: `${base}/metadata` };
}
