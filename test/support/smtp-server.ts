// A real SMTP server for tests (the `smtp-server` package) on 127.0.0.1: AUTH required, STARTTLS
// with the package's built-in self-signed certificate (hence ?tls.rejectUnauthorized=false in the
// URL it hands out). It can answer the next messages with a temporary failure, to test retries.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { registerSecret } from './suite-log.js';

export interface ReceivedMail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  /** Top-level headers, names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The user the client authenticated as, and whether the session ran over TLS (STARTTLS). */
  user: string | undefined;
  secure: boolean;
  /** The text/plain and text/html bodies: transfer encoding removed, lines ending in \n, no final line end. */
  text: string | undefined;
  html: string | undefined;
  raw: string;
}

export interface TestSmtpServer {
  /** SMTP_URL for the platform: the server's credentials, host and port. */
  url: string;
  received: ReceivedMail[];
  /** DATA commands answered so far, accepted or not. */
  dataAttempts: number;
  /** Answers the next `count` messages with an error reply: 451 (temporary) unless another code is given. */
  failNext(count: number, responseCode?: number): void;
  close(): Promise<void>;
}

export async function startSmtpServer(credentials = { user: 'mailer', password: 'smtp-pa$$word' }): Promise<TestSmtpServer> {
  registerSecret('SMTP password', credentials.password);
  let failures = 0;
  let failureCode = 451;
  const state: TestSmtpServer = {
    url: '',
    received: [],
    dataAttempts: 0,
    failNext: (count, responseCode = 451) => {
      failures = count;
      failureCode = responseCode;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.dataAttempts++;
        if (failures > 0) {
          failures--;
          const text = failureCode >= 500 ? 'Message rejected' : 'Try again later';
          const error: SMTPServerError = Object.assign(new Error(text), { responseCode: failureCode });
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        state.received.push({
          envelopeFrom: from ? from.address : null,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          raw,
          ...parseMessage(raw),
        });
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}?tls.rejectUnauthorized=false`;
  return state;
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end < 0 ? '' : raw.slice(end + 4) };
}

function decodeBody(part: Part): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

/** Just enough MIME for the messages nodemailer writes: one part, or multipart/alternative. */
function parseMessage(raw: string): { headers: Record<string, string>; text: string | undefined; html: string | undefined } {
  const top = splitPart(raw);
  const leaves: Part[] = [];
  const collect = (part: Part) => {
    const boundary = /boundary="?([^";]+)"?/i.exec(part.headers['content-type'] ?? '')?.[1];
    if (!boundary) return leaves.push(part);
    for (const chunk of part.body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      collect(splitPart(chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    }
  };
  collect(top);
  const bodyOf = (type: string) => {
    const part = leaves.find((p) => (p.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(type));
    return part ? decodeBody(part).replace(/\r\n/g, '\n').replace(/\n$/, '') : undefined;
  };
  return { headers: top.headers, text: bodyOf('text/plain'), html: bodyOf('text/html') };
}
