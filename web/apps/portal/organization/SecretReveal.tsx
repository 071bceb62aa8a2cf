// A secret the server shows only once (an API key, an OAuth client secret): shown with a copy
// button and a plain warning, until the person says they have stored it.
import { useId, useState, type ReactNode } from 'react';

interface SecretRevealProps {
  title: string;
  secret: string;
  onDone(): void;
  /** More to keep with the secret (client id, issuer URL). */
  children?: ReactNode;
}

export function SecretReveal({ title, secret, onDone, children }: SecretRevealProps) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const titleId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (plain http, or permission refused): the text is selectable instead.
      setCopied('failed');
    }
  }

  return (
    <section className="card secret-reveal" aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          <p>Copy it now and keep it somewhere safe: it is shown only this once and cannot be read again. If it is lost, create a new one.</p>
        </div>
      </div>
      <div className="card-body stack">
        <div className="alert alert-warning" role="alert">
          Anyone holding this secret can act with its permissions. Do not paste it into chats, tickets or source code.
        </div>
        <div className="secret-row" role="group" aria-label="Secret">
          <code className="secret-value mono">{secret}</code>
          <button type="button" className="button" onClick={copy}>
            {copied === 'yes' ? 'Copied' : 'Copy'}
          </button>
        </div>
        {copied === 'failed' && <span className="field-hint">The browser did not allow copying; select the text and copy it yourself.</span>}
        {children}
      </div>
      <div className="card-footer">
        <button type="button" className="button button-primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
