/**
 * A slice of the chaos benchmark as a test: seeded runs of 6 emulated hours, one per fault cell,
 * on the default wiring. The full table (504 runs × 3 wirings) is `npm run bench -- --chaos`.
 */
import { CELLS, chaosRun, DEAD_EPISODE_GOAL_MS } from "../../bench/chaos";
import { closeAllPools } from "../../lib/runlater/http";

afterAll(() => closeAllPools());

const SEED = Number(process.env.CHAOS_SEED ?? 7_000);

describe("chaos (seeded, virtual time): the converge wiring", () => {
  it.each(CELLS.map((c, i) => [i, c] as const))("cell %i %o: ends on the primary, no avoidable dead-primary stretch beyond the goal", async (i, cell) => {
    const r = await chaosRun("converge", SEED + i, 6, cell);
    expect(r.wrongAtEnd).toBe(false);
    expect(r.avoidableDeadLongestMs).toBeLessThanOrEqual(DEAD_EPISODE_GOAL_MS);
  });
});
