/**
 * One place for fast-check run parameters, so property tests cannot flake: every `fc.assert`
 * takes `fcParams(...)`, which pins the seed. Set `FC_SEED=<int>` to explore other inputs (a
 * failure prints the seed and path to replay; turn each counterexample found into a plain test).
 *
 * ```ts
 * fc.assert(fc.property(arb, check), fcParams({ numRuns: 200 }));
 * ```
 */
import type { Parameters } from "fast-check";

/** Seed used when `FC_SEED` is not set. */
export const DEFAULT_FC_SEED = 20_261_202;

/** The seed of this run: `FC_SEED` (an integer) or {@link DEFAULT_FC_SEED}. */
export function fcSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FC_SEED;
  if (raw === undefined || raw.trim() === "") return DEFAULT_FC_SEED;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return n | 0; // fast-check seeds are 32-bit
}

/**
 * Parameters of `fc.assert`: a fixed `seed`, `numRuns` (default 100) and any other parameter.
 * @param opts `numRuns` and other fast-check parameters; `seed` here is ignored (use FC_SEED)
 */
export function fcParams<T = unknown>(opts: Omit<Parameters<T>, "seed"> = {}): Parameters<T> {
  return { numRuns: 100, ...opts, seed: fcSeed() };
}
