// TOTP codes for tests, computed from the secret a test enrolled, as an authenticator app would.
import { generate } from 'otplib';

const PERIOD_SECONDS = 30;
const lastStepUsed = new Map<string, number>();

/**
 * A TOTP code the server has not accepted yet. The server takes each time step once (no replay) and
 * tolerates one step of drift, so this uses the current step, else the next one, else waits for
 * the next period. Shared by every caller in the process so API and browser sign-ins never collide.
 */
export async function totpCode(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000);
    const step = Math.floor(now / PERIOD_SECONDS);
    const last = lastStepUsed.get(secret) ?? -1;
    const usable = [step, step + 1].find((candidate) => candidate > last);
    if (usable !== undefined) {
      lastStepUsed.set(secret, usable);
      return generate({ secret, epoch: usable * PERIOD_SECONDS });
    }
    await new Promise((resolve) => setTimeout(resolve, ((step + 1) * PERIOD_SECONDS - now) * 1000 + 50));
  }
}
