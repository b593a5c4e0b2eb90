/**
 * The emulator's own per-client rate limiter (Runlater: 300/min, answered 429 without
 * Retry-After), set low so that deploying several DnsFailovers at once exceeds it. The client
 * backs off and retries (real time, a few seconds); calls that still get 429 end their run. The
 * state stays consistent (nothing duplicated or orphaned), and once the window has passed
 * (the limiter uses the emulator clock in virtual mode) the next run converges.
 */
import { deployRun, destroyRun, type FailoverState, mapLimit } from "../../bench/flow";
import { clearProviderConfig } from "../../lib/pulumi/provider-support";
import { closeAllPools } from "../../lib/runlater";
import { API_KEY, expectConsistent, type Fixture, startFixture, textsOf } from "./support";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ rateLimit: { perMinute: 20, perHour: 100_000 } });
});
afterAll(async () => {
  clearProviderConfig();
  await fx.close();
  await closeAllPools();
});

it("a burst above the limit fails cleanly, and the next run after the window converges without duplicates", async () => {
  const names = Array.from({ length: 10 }, (_, i) => `rl${i}`);
  const states: FailoverState[] = names.map(() => ({}));
  const run = () => mapLimit(names, 10, (name, i) => deployRun(fx.plan(name), states[i]!));

  const first = await run();
  const failed = first.filter((o) => !o.ok);
  expect(failed.length).toBeGreaterThan(0); // 30 creates against 20/min
  for (const o of failed) {
    expect(o.error).toMatchObject({ status: 429, kind: "exhausted", attempts: 5 });
    for (const t of textsOf(o.error)) expect(t).not.toContain(API_KEY);
  }
  for (const [i, name] of names.entries()) await expectConsistent(fx.emu, name, states[i]!, fx.plan(name), { complete: false });

  for (let round = 0; round < 3 && states.some((s) => !s.task); round++) {
    await fx.emu.advance(61_000);
    await run();
  }
  expect(states.every((s) => s.failover && s.recovery && s.task)).toBe(true);
  // Verification reads count against the limiter too: give them a fresh window.
  await fx.emu.advance(61_000);
  for (const [i, name] of names.slice(0, 5).entries()) await expectConsistent(fx.emu, name, states[i]!, fx.plan(name), { complete: true });
  expect(fx.emu.stats().objects).toMatchObject({ tasks: 10, endpoints: 20 });

  for (let round = 0; round < 4 && states.some((s) => Object.keys(s).length > 0); round++) {
    await fx.emu.advance(61_000);
    await mapLimit(states, 10, (s) => destroyRun(s));
  }
  expect(fx.emu.stats().objects.total).toBe(0);
});
