/**
 * The emulator's clock. `virtual`: time moves only when a test advances it. `real`: time runs
 * from a start instant at `speed` × wall-clock rate (the demo uses 60: one cron minute per second).
 */

/** Clock settings. */
export type ClockOption =
  /** Virtual time, moved only by `advance`/`advanceTo`/`runDue` (the default; for tests). */
  | "virtual"
  | { mode: "virtual" }
  /**
   * Real time, sped up: emulator time = start + real elapsed × `speed`. `speed` is a number in
   * (0, 3600]; 1 = wall-clock rate, 60 = one emulated minute per real second. @default speed 1
   */
  | { mode: "real"; speed?: number };

/** A clock. Times are epoch milliseconds. */
export interface EmulatorClock {
  readonly mode: "virtual" | "real";
  /** Real mode: the speed factor (1 in virtual mode). */
  readonly speed: number;
  now(): number;
  /** Virtual mode only: moves the time forward (never backwards). */
  set(t: number): void;
  /** Emulator ms → real ms (virtual mode: 0). */
  realDelay(emulatorMs: number): number;
}

/** Default start of the virtual clock: 2026-01-01T00:00:00Z. */
export const DEFAULT_VIRTUAL_START = Date.parse("2026-01-01T00:00:00Z");

/** Creates a clock. `start` is epoch ms (default 2026-01-01T00:00:00Z for virtual, now for real). */
export function createClock(option: ClockOption | undefined, start?: number): EmulatorClock {
  if (start !== undefined && !Number.isFinite(start)) throw new Error("startTime is not a valid date");
  if (option === undefined || option === "virtual" || option.mode === "virtual") {
    let t = start ?? DEFAULT_VIRTUAL_START;
    return {
      mode: "virtual",
      speed: 1,
      now: () => t,
      set: (v: number) => {
        if (v > t) t = v;
      },
      realDelay: () => 0,
    };
  }
  if (option.mode !== "real") throw new Error(`clock.mode must be "virtual" or "real"`);
  const speed = option.speed ?? 1;
  if (!(typeof speed === "number" && speed > 0 && speed <= 3600)) throw new Error(`clock.speed must be in (0, 3600], got ${speed}`);
  const realStart = Date.now();
  const base = start ?? realStart;
  return {
    mode: "real",
    speed,
    now: () => base + Math.floor((Date.now() - realStart) * speed),
    set: () => {
      throw new Error("the real-time clock cannot be set; use clock: 'virtual'");
    },
    realDelay: (ms: number) => ms / speed,
  };
}

/** ISO-8601 UTC with whole seconds, as Runlater formats timestamps (`2026-01-29T10:00:00Z`). */
export function isoSeconds(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
