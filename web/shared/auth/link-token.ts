// Links mailed by the platform (password reset, email verification, invitations) carry their token
// in the URL fragment (#token=…): browsers send fragments neither to servers nor in Referer headers.
export function tokenFromFragment(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}
