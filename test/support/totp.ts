// TOTP codes for tests, computed from the secret a test enrolled, as an authenticator app would.
import { generate } from 'otplib';
import { systemClock, type Clock } from '../../src/kernel/clock.js';

const PERIOD_SECONDS = 30;
const lastStepUsed = new Map<string, number>();

/** A clock a test may move forward (ManualClock, or the test platform's wall clock with a lead). */
export interface MovableClock extends Clock {
  advance(milliseconds: number): void;
}

function isMovable(clock: Clock): clock is MovableClock {
  return typeof (clock as Partial<MovableClock>).advance === 'function';
}

/**
 * A TOTP code the server has not accepted yet, at the time of `clock` (the platform's: the server
 * checks codes against it). The server takes each time step once (no replay) and tolerates one step
 * of drift, so this uses the current step, else the next one, else the next period: a clock the
 * test can move is moved there at once, the wall clock is waited for. Shared by every caller in the
 * process so API and browser sign-ins never collide.
 */
export async function totpCode(secret: string, clock: Clock = systemClock): Promise<string> {
  for (;;) {
    const nowMs = clock.now().getTime();
    const step = Math.floor(nowMs / 1000 / PERIOD_SECONDS);
    const last = lastStepUsed.get(secret) ?? -1;
    const usable = [step, step + 1].find((candidate) => candidate > last);
    if (usable !== undefined) {
      lastStepUsed.set(secret, usable);
      return generate({ secret, epoch: usable * PERIOD_SECONDS });
    }
    const untilNextStep = (step + 1) * PERIOD_SECONDS * 1000 - nowMs;
    if (isMovable(clock)) clock.advance(untilNextStep);
    else await new Promise((resolve) => setTimeout(resolve, untilNextStep + 50));
  }
}
