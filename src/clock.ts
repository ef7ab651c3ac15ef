// Time as a dependency: services that judge expiry, settle windows or lifetimes read a Clock, so tests move time
// instead of sleeping.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test sets and advances. */
export class ManualClock implements Clock {
  constructor(private at = Date.now()) {}
  now(): number {
    return this.at;
  }
  set(at: number | Date): void {
    this.at = typeof at === "number" ? at : at.getTime();
  }
  advance(ms: number): void {
    this.at += ms;
  }
}
