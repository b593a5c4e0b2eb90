/**
 * Time for the operations commands: `now` and an abortable `sleep`, injectable so tests run the
 * drill's wait loops in the emulator's virtual time (sleep = advance the emulator clock).
 */

/** A clock the drill and status read and wait on. */
export interface OpsClock {
  /** Current time, epoch ms. */
  now(): number;
  /** Waits `ms` milliseconds; rejects with an `AbortError` when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The error a sleep rejects with on abort. */
export function abortError(): Error {
  const e = new Error("aborted");
  e.name = "AbortError";
  return e;
}

/** Real time (`Date.now`, timers). */
export const realClock: OpsClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(abortError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
