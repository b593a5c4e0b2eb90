/**
 * The API-call budget of `npm run bench` (bench/api-calls.ts) as a test: counts, not times, so
 * they hold on any machine. Every row of the section must meet its reference, for both layouts.
 */
import { benchApiCalls } from "../../bench/api-calls";
import { configureProviders } from "../../bench/flow";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { clearProviderConfig } from "../../lib/pulumi/provider-support";
import { closeAllPools } from "../../lib/runlater";

const API_KEY = "pk_bench_calls.sk_bench_calls_5e6f7a8b";
const CF_TOKEN = "cf-bench-calls-token";
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, rateLimit: false, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
});
afterAll(async () => {
  clearProviderConfig();
  await emu.close();
  await closeAllPools();
});

it("create 8, no-op 0, refresh 8, backup change 1 (the failover endpoint), destroy 8 per failover, in both layouts", async () => {
  const config = { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" };
  await configureProviders(config);
  const { rows, result } = await benchApiCalls(emu, config, CF_TOKEN);
  expect(rows.filter((r) => r.status !== "ok").map((r) => `${r.metric}: ${r.measured}`)).toEqual([]);
  expect(rows).toHaveLength(9);
  for (const layout of ["compact", "per-object"] as const) {
    expect(result[layout]).toMatchObject({ create: 8, noopUpdate: 0, noopChanged: 0, refresh: 8, changeBackup: 1, destroy: 8, leftAfterDestroy: 0 });
  }
});
