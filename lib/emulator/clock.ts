/**
 * The emulator's clock. `virtual`: time moves only when a test advances it. `real`: time runs
 * from a start instant at `speed` × wall-clock rate (the demo uses 60: one cron minute per second).
 */

/** Clock settings. */
export type ClockOption =
  /** Virtual time, moved only by `advance`/`advanceTo` (the default, for tests). */
  | "virtual"
  /** Real time, sped up: emulator ms = real ms × `speed` (1..3600). */
  | { mode: "real"; speed?: number };

/** A clock. Times are epoch milliseconds. */
export interface EmulatorClock {
  readonly mode: "virtual" | "real";
  now(): number;
  /** Virtual mode only: sets the time (never backwards). */
  set(t: number): void;
  /** Real mode: emulator ms → real ms to wait. */
  realDelay(emulatorMs: number): number;
}

/** Creates a clock. `start` is epoch ms (default 2026-01-01T00:00:00Z for virtual, now for real). */
export function createClock(option: ClockOption | undefined, start?: number): EmulatorClock {
  if (option === undefined || option === "virtual") {
    let t = start ?? Date.parse("2026-01-01T00:00:00Z");
    return {
      mode: "virtual",
      now: () => t,
      set: (v: number) => {
        if (v > t) t = v;
      },
      realDelay: () => 0,
    };
  }
  const speed = option.speed ?? 1;
  if (!(speed >= 1 && speed <= 3600)) throw new Error(`clock.speed must be 1..3600, got ${speed}`);
  const realStart = Date.now();
  const base = start ?? realStart;
  return {
    mode: "real",
    now: () => base + (Date.now() - realStart) * speed,
    set: () => {
      throw new Error("the real-time clock cannot be set; use clock: 'virtual'");
    },
    realDelay: (ms: number) => ms / speed,
  };
}

/** ISO-8601 UTC with whole seconds, as Runlater formats timestamps. */
export function isoSeconds(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
