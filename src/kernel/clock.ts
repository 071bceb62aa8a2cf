// Time is read through a Clock so tests (and later billing) can move it.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #time: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#time = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#time);
  }
  advance(milliseconds: number): void {
    this.#time += milliseconds;
  }
  set(to: Date | string): void {
    this.#time = new Date(to).getTime();
  }
}
