/**
 * Secrets: the Runlater API key and the DNS credentials used by these tests are searched for in
 * every log line, error, serialized provider and state snapshot the tests produce.
 *
 * Rules:
 * - the API key appears nowhere (it lives only in stack config / the environment);
 * - a DNS credential appears only in the endpoint's `forwardHeaders` / `forwardBody` (and, for a
 *   generic target with a token in the URL, `forwardUrls`), which the component passes as secrets
 *   and `ForwardEndpoint` declares as secret outputs; never in the task, names, summaries,
 *   messages or the provider code.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import {
  componentArgs,
  configureProviders,
  deployRun,
  destroyRun,
  endpointProvider,
  type FailoverState,
  refreshRun,
  taskProvider,
} from "../../bench/flow";
import type { DnsTarget } from "../../lib/dns";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { planFailover } from "../../lib/failover/plan";
import { clearProviderConfig } from "../../lib/pulumi/provider-support";
import { closeAllPools, RunlaterClient } from "../../lib/runlater";
import { pathsContaining, textsOf } from "./support";

const API_KEY = "pk_test_secrets.sk_test_secrets_api_key_c0ffee42";
const WRONG_KEY = "pk_test_wrong.sk_test_wrong_key_deadbeef99";
const CF_TOKEN = "cf-secret-token-ab12cd34ef56";
const PB_KEY = "pk1_porkbun_secret_key_778899";
const PB_SECRET = "sk1_porkbun_secret_secret_665544";
const GENERIC_TOKEN = "gen-url-token-3141592653";
const DNS_SECRETS = [CF_TOKEN, PB_KEY, PB_SECRET, GENERIC_TOKEN];
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const ROOT = path.join(__dirname, "..", "..");

let emu: Emulator;
/** Everything the tests produced that must be free of secrets (logs, errors, messages). */
const noSecretsAllowed: { what: string; value: unknown }[] = [];
/** Provider outputs and checked inputs (state): DNS secrets allowed only under the secret fields. */
const stateSnapshots: { what: string; kind: "endpoint" | "task" | "monitor" | "objects"; value: Record<string, unknown> }[] = [];
const logged: string[] = [];
const spies: jest.SpyInstance[] = [];

beforeAll(async () => {
  // Capture every line written to the console or the process streams while the tests run.
  for (const m of ["log", "info", "warn", "error", "debug"] as const) {
    spies.push(jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(" "))));
  }
  for (const s of [process.stdout, process.stderr]) {
    const orig = s.write.bind(s);
    spies.push(
      jest.spyOn(s, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as never),
    );
  }
  emu = await startEmulator({
    apiKeys: [API_KEY],
    rateLimit: false,
    allowPrivateTargets: true,
    dns: { cloudflare: { tokens: [CF_TOKEN] }, porkbun: { tokens: [`${PB_KEY}:${PB_SECRET}`] } },
  });
  await configureProviders({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
});
afterAll(async () => {
  for (const s of spies) s.mockRestore();
  clearProviderConfig();
  await emu.close();
  await closeAllPools();
});
beforeEach(() => emu.faults.clear());

const targets = (): Record<string, DnsTarget> => ({
  cloudflare: {
    provider: "cloudflare",
    zoneId: "0123456789abcdef0123456789abcdef",
    recordId: "fedcba9876543210fedcba9876543210",
    apiToken: CF_TOKEN,
    apiBaseUrl: emu.cloudflareApiUrl,
  },
  porkbun: { provider: "porkbun", domain: "example.com", subdomain: "www", apiKey: PB_KEY, secretApiKey: PB_SECRET, apiBaseUrl: emu.porkbunApiUrl },
  generic: {
    provider: "generic",
    url: `${emu.genericUrl}/update?token=${GENERIC_TOKEN}`,
    method: "POST",
    headers: { "X-Token": GENERIC_TOKEN },
    secretHeaders: ["X-Token"],
    body: { ip: "{{content}}" },
  },
});

/** Where a DNS secret may appear in an endpoint's inputs/outputs. */
const ALLOWED_ENDPOINT_PATHS = [/^forwardHeaders\./, /^forwardBody$/, /^forwardUrls\[\d+\]$/];
/** `FailoverObjects` (compact layout): the same fields, under the one secret `secrets` output, and only for endpoints. */
const ALLOWED_OBJECTS_PATHS = [/^secrets\.(failover|recovery|relay|probe|restore|fanout)(-\d+)?\.(forwardHeaders\.|forwardBody$|forwardUrls\[\d+\]$)/];

const liveCount = () => emu.stats().objects.total;

function snapshot(what: string, kind: "endpoint" | "task" | "monitor" | "objects", value: unknown) {
  if (value && typeof value === "object") stateSnapshots.push({ what, kind, value: value as Record<string, unknown> });
}

describe("a full lifecycle per DNS provider, with faults", () => {
  it.each(["cloudflare", "porkbun", "generic"])("%s: create (faults), refresh, update, destroy (faults)", async (provider) => {
    const name = `sec-${provider}`;
    const plan = planFailover({
      name,
      healthCheck: { url: "https://primary.example.com/health", headers: { "X-Check": "not-a-secret" } },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      dns: targets()[provider]!,
    });
    noSecretsAllowed.push({ what: `${provider} plan warnings/errors`, value: [plan.errors, plan.warnings] });
    expect(plan.errors).toEqual([]);
    const state: FailoverState = {};
    emu.faults.add({ route: "runlater.endpoints.create", status: 503, times: 5, headers: { "retry-after": "0" } });
    const failed = await deployRun(plan, state);
    expect(failed.ok).toBe(false);
    noSecretsAllowed.push({ what: `${provider} failed create error`, value: failed.error });
    emu.faults.add({ route: "runlater.tasks.create", kind: "drop", after: true, times: 1 });
    const ok = await deployRun(plan, state);
    noSecretsAllowed.push({ what: `${provider} create error`, value: ok.error });
    expect(ok.ok).toBe(true);
    for (const s of ["failover", "recovery", "task"] as const) snapshot(`${provider} ${s} outs after create`, s === "task" ? "task" : "endpoint", state[s]!.outs);
    const args = componentArgs(plan);
    for (const [s, raw] of [
      ["failover", args.failover],
      ["recovery", args.recovery!],
    ] as const) {
      const c = await endpointProvider.check({} as never, raw as never);
      snapshot(`${provider} ${s} checked inputs`, "endpoint", c.inputs);
      noSecretsAllowed.push({ what: `${provider} ${s} check failures`, value: c.failures });
    }
    const tc = await taskProvider.check({} as never, args.task(String(state.failover!.outs.inboundUrl), String(state.recovery!.outs.inboundUrl)) as never);
    snapshot(`${provider} task checked inputs`, "task", tc.inputs);
    expect((await refreshRun(state)).ok).toBe(true);
    for (const s of ["failover", "recovery", "task"] as const) snapshot(`${provider} ${s} outs after refresh`, s === "task" ? "task" : "endpoint", state[s]!.outs);
    const next = planFailover({ name, healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.51", dns: targets()[provider]! });
    emu.faults.add({ route: "runlater.endpoints.update", status: 502, times: 5, headers: { "retry-after": "0" } });
    const upd1 = await deployRun(next, state);
    noSecretsAllowed.push({ what: `${provider} failed update error`, value: upd1.error });
    const upd2 = await deployRun(next, state);
    noSecretsAllowed.push({ what: `${provider} update error`, value: upd2.error });
    expect(upd2.updated).toContain("failover");
    snapshot(`${provider} failover outs after update`, "endpoint", state.failover!.outs);
    emu.faults.add({ route: "runlater.endpoints.delete", kind: "drop", times: 1 });
    emu.faults.add({ route: "runlater.endpoints.delete", status: 500, times: 5, headers: { "retry-after": "0" } });
    const d1 = await destroyRun(state);
    noSecretsAllowed.push({ what: `${provider} failed destroy error`, value: d1.error });
    expect((await destroyRun(state)).ok).toBe(true);
  });

  it("errors of a rejected API key, an API validation error and exhausted retries carry no secret", async () => {
    await configureProviders({ "runlater:apiKey": WRONG_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
    const plan = planFailover({ name: "sec-401", healthCheck: { url: "https://p.example.com/h" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: targets().cloudflare! });
    const denied = await deployRun(plan, {});
    expect(denied.error).toMatchObject({ status: 401 });
    noSecretsAllowed.push({ what: "401 error", value: denied.error }, { what: "401 error (wrong key)", value: String((denied.error as Error).message) });
    for (const t of textsOf(denied.error)) expect(t).not.toContain(WRONG_KEY);
    await configureProviders({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
    // Bypass check(): the client refuses the bad field itself before anything is sent (a
    // field-named validation error), for an endpoint carrying the token.
    const raw = await endpointProvider.check({} as never, componentArgs(plan).failover as never);
    const rejected = await endpointProvider.create({ ...(raw.inputs as object), retryAttempts: 11 } as never).catch((e: unknown) => e);
    expect(String((rejected as Error).message)).toMatch(/retryAttempts/);
    noSecretsAllowed.push({ what: "422 error", value: rejected });
    // A missing key.
    await configureProviders({ "runlater:apiUrl": emu.runlaterApiUrl });
    const saved = process.env.RUNLATER_API_KEY;
    delete process.env.RUNLATER_API_KEY;
    const missing = await endpointProvider.create(raw.inputs as never).catch((e: unknown) => e);
    if (saved !== undefined) process.env.RUNLATER_API_KEY = saved;
    expect(String((missing as Error).message)).toContain("API key is missing");
    noSecretsAllowed.push({ what: "missing key error", value: missing });
    await configureProviders({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
  });

  it("the client's per-attempt log lines carry no key, header or body", async () => {
    const lines: string[] = [];
    const client = new RunlaterClient({
      apiKey: API_KEY,
      baseUrl: emu.runlaterApiUrl,
      log: (l) => lines.push(l),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const plan = planFailover({ name: "sec-log", healthCheck: { url: "https://p.example.com/h" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: targets().porkbun! });
    emu.faults.add({ route: "runlater.endpoints.create", status: 429, times: 1 });
    emu.faults.add({ route: "runlater.endpoints.create", kind: "drop", times: 1 });
    emu.faults.add({ route: "runlater.endpoints.create", status: 500, after: true, times: 1 });
    const ep = await client.createEndpoint(plan.failoverEndpoint);
    await client.updateEndpoint(ep.id, { forwardHeaders: { Authorization: `Bearer ${CF_TOKEN}` } });
    emu.faults.add({ route: "runlater.endpoints.get", status: 503, times: 5, headers: { "retry-after": "0" } });
    const exhausted = await client.getEndpoint(ep.id).catch((e: unknown) => e);
    expect(exhausted).toMatchObject({ kind: "exhausted" });
    noSecretsAllowed.push({ what: "exhausted GET error", value: exhausted });
    emu.faults.add({ route: "runlater.endpoints.get", kind: "drop", times: 5 });
    const network = await client.getEndpoint(ep.id).catch((e: unknown) => e);
    expect(network).toMatchObject({ kind: "exhausted", status: 0 });
    noSecretsAllowed.push({ what: "exhausted network error", value: network });
    await client.deleteEndpoint(ep.id);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    noSecretsAllowed.push({ what: "client log lines", value: lines });
  });
});

describe("the Pulumi program: serialized providers and registered inputs (plain Node, compiled package)", () => {
  const CASES = [
    ["cloudflare", true, "per-object"],
    ["cloudflare", false, "per-object"],
    ["porkbun", false, "per-object"],
    ["generic", false, "per-object"],
    ["cloudflare", true, "compact"],
    ["cloudflare", false, "compact"],
    ["porkbun", false, "compact"],
    ["generic", false, "compact"],
  ] as const;
  const prefixOf = (provider: string, secretDns: boolean, resources: string) => `${provider}-${secretDns ? "s" : "p"}-${resources === "compact" ? "c" : "o"}`;
  let registrations: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

  beforeAll(() => {
    const specs = CASES.map(([provider, secretDns, resources]) => ({
      name: prefixOf(provider, secretDns, resources),
      secretDns,
      args: { resources, healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: targets()[provider] },
    }));
    const r = spawnSync(process.execPath, [path.join(__dirname, "capture-failover.js"), JSON.stringify(specs)], {
      maxBuffer: 256 * 1024 * 1024,
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, RUNLATER_API_KEY: API_KEY, PULUMI_CONFIG: JSON.stringify({ "runlater:apiKey": API_KEY }) },
    });
    if (r.status !== 0) throw new Error(`capture-failover.js failed (status ${r.status}, signal ${r.signal}, error ${r.error?.message}): ${r.stderr}`);
    registrations = JSON.parse(r.stdout);
    // The program's own log output (warnings etc.) may carry no secret at all.
    noSecretsAllowed.push({ what: "program stderr", value: r.stderr });
  });

  /** Paths of strings containing `needle` that are NOT inside a Pulumi secret wrapper. */
  function exposed(value: unknown, needle: string, p = ""): string[] {
    if (typeof value === "string") return value.includes(needle) ? [p || "(root)"] : [];
    if (value === null || typeof value !== "object") return [];
    if (SECRET_SIG in (value as object)) return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => exposed(v, needle, `${p}[${i}]`));
    return Object.entries(value).flatMap(([k, v]) => exposed(v, needle, p ? `${p}.${k}` : k));
  }

  it.each(CASES)(
    "%s (dns passed as secret: %s, resources: %s): no key anywhere; DNS credentials only inside secret-wrapped inputs; not in the provider code",
    (provider, secretDns, resources) => {
      const prefix = prefixOf(provider, secretDns, resources);
      const mine = registrations.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`));
      expect(mine.map((r) => `${r.type.split(":").pop()} ${r.name}`).sort()).toEqual(
        resources === "compact"
          ? [`DnsFailover ${prefix}`, `FailoverObjects ${prefix}`]
          : [
              `DnsFailover ${prefix}`,
              ...[
                ["ForwardEndpoint", "failover"],
                ["HealthCheckTask", "health"],
                ["HeartbeatMonitor", "latch"],
                ["HeartbeatMonitor", "latch-2"],
                ["ForwardEndpoint", "probe"],
                ["HealthCheckTask", "pulse"],
                ["ForwardEndpoint", "recovery"],
                ["ForwardEndpoint", "relay"],
              ].map(([t, k]) => `${t} ${prefix}-${k}`),
            ].sort(),
      );
      const text = JSON.stringify(mine);
      expect(text).not.toContain(API_KEY);
      for (const r of mine) {
        if (r.type.startsWith("pulumi-nodejs:dynamic")) {
          expect(typeof r.inputs.__provider).toBe("string");
          for (const s of DNS_SECRETS) expect(r.inputs.__provider as string).not.toContain(s);
        }
        for (const s of DNS_SECRETS) expect({ resource: r.name, secret: s, exposed: exposed(r.inputs, s) }).toEqual({ resource: r.name, secret: s, exposed: [] });
      }
      expect(DNS_SECRETS.some((s) => text.includes(s))).toBe(true); // the credential did reach the endpoints (wrapped)
    },
  );
});

describe("the component through the local engine (deserialized providers)", () => {
  it.each(["per-object", "compact"] as const)("state, summary and warnings of a deployed DnsFailover (resources: %s)", async (resources) => {
    const { startLocalEngine } = await import("../../lib/pulumi/local-engine");
    const engine = startLocalEngine({ config: { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl } });
    const { DnsFailover } = await import("../../lib/pulumi/dns-failover");
    const f = new DnsFailover(`sec-engine-${resources}`, {
      resources,
      healthCheck: { url: "https://p.example.com/health", timeoutMs: 45_000 }, // a warning is logged
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      dns: targets().cloudflare!,
    });
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the local engine did not finish (a resource failed)")), 10_000).unref())]);
    await within(engine.value(f.taskId));
    const summary = await within(engine.value(f.summary));
    noSecretsAllowed.push({ what: "summary", value: summary });
    expect(summary.runlaterObjects).toBe(8);
    for (const r of engine.resources) {
      if (!r.type.startsWith("pulumi-nodejs:dynamic")) continue;
      const kind = r.type.endsWith(":HealthCheckTask") ? "task" : r.type.endsWith(":HeartbeatMonitor") ? "monitor" : r.type.endsWith(":FailoverObjects") ? "objects" : "endpoint";
      snapshot(`engine ${r.name}`, kind, r.outputs);
      noSecretsAllowed.push({ what: `engine ${r.name} id/name`, value: [r.id, r.name] });
    }
    await engine.destroy();
    expect(liveCount()).toBe(0);
  });
});

describe("everything collected above", () => {
  it("the API key appears nowhere: not in logs, errors, state, or the emulator's stored objects", () => {
    const texts = [
      ...logged,
      ...noSecretsAllowed.flatMap((x) => textsOf(x.value)),
      ...stateSnapshots.map((s) => JSON.stringify(s.value)),
      JSON.stringify(emu.tasks()),
      JSON.stringify(emu.endpoints()),
    ];
    expect(noSecretsAllowed.length).toBeGreaterThan(15);
    expect(stateSnapshots.length).toBeGreaterThan(20);
    for (const t of texts) expect(t).not.toContain(API_KEY);
  });

  it("DNS credentials appear in no log line, error or message", () => {
    for (const x of noSecretsAllowed) {
      for (const t of textsOf(x.value)) for (const s of DNS_SECRETS) if (t.includes(s)) throw new Error(`${x.what} contains a DNS secret: ${t.slice(0, 300)}`);
    }
    for (const line of logged) for (const s of DNS_SECRETS) expect(line).not.toContain(s);
  });

  it("DNS credentials in state only under the endpoints' secret fields, never in the task", () => {
    let seen = 0;
    for (const snap of stateSnapshots) {
      for (const s of DNS_SECRETS) {
        const where = pathsContaining(snap.value, s);
        seen += where.length;
        const allowed = snap.kind === "task" ? [] : snap.kind === "objects" ? ALLOWED_OBJECTS_PATHS : ALLOWED_ENDPOINT_PATHS;
        const bad = where.filter((p) => !allowed.some((re) => re.test(p)));
        expect({ snapshot: snap.what, secret: s, bad }).toEqual({ snapshot: snap.what, secret: s, bad: [] });
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});
