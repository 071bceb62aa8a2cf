// A SAML 2.0 identity provider for single sign-on tests: a generated signing certificate
// (selfsigned) and Responses whose Assertion is signed with xml-crypto, exactly as an IdP would
// post them to our ACS, with knobs for every way an assertion can be wrong.
import { inflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

export interface SamlIdpKeys {
  certificate: string;
  privateKey: string;
}

export interface AssertionOptions {
  /** The AuthnRequest ID this answers (InResponseTo). */
  requestId: string;
  acsUrl: string;
  audience: string;
  email: string;
  issuer?: string;
  assertionId?: string;
  /** Defaults: valid from a minute ago for five minutes. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  authnContext?: string;
  /** Sign with these keys instead (a wrong IdP); `false`: leave the assertion unsigned. */
  signWith?: SamlIdpKeys | false;
  /** Changes the XML after signing (tampering). */
  afterSigning?: (xml: string) => string;
}

export const ENTITY_ID = 'https://idp.example.test/saml';

export async function samlKeys(): Promise<SamlIdpKeys> {
  const pems = await generate([{ name: 'commonName', value: 'Test IdP' }], { keySize: 2048, algorithm: 'sha256' });
  return { certificate: pems.cert, privateKey: pems.private };
}

/** The AuthnRequest ID inside a redirect-binding URL (SAMLRequest is deflated, base64). */
export function requestIdOf(location: string): string {
  const request = new URL(location).searchParams.get('SAMLRequest');
  if (!request) throw new Error(`no SAMLRequest in ${location}`);
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`no ID in ${xml}`);
  return id;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A base64 SAMLResponse as the IdP would post it. */
export function samlResponse(keys: SamlIdpKeys, options: AssertionOptions): string {
  const now = new Date();
  const notBefore = options.notBefore ?? new Date(now.getTime() - 60_000);
  const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const issuer = options.issuer ?? ENTITY_ID;
  const assertionId = options.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
  const context = options.authnContext ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${options.email}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${options.requestId}" NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${options.acsUrl}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${options.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>${context}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${options.email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion>`;
  let xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(now)}" Destination="${options.acsUrl}" InResponseTo="${options.requestId}">` +
    `<saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
  const signer = options.signWith === undefined ? keys : options.signWith;
  if (signer) {
    const signature = new SignedXml({
      privateKey: signer.privateKey,
      publicCert: signer.certificate,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    signature.addReference({
      xpath: "//*[local-name(.)='Assertion']",
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    signature.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
    xml = signature.getSignedXml();
  }
  if (options.afterSigning) xml = options.afterSigning(xml);
  return Buffer.from(xml, 'utf8').toString('base64');
}
