/**
 * The dynamic providers' methods called directly against the emulator: lifecycle, drift,
 * adoption, `get`, retries, validation and API-call counts.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import requireFromString from "require-from-string";
import { type Emulator, startEmulator } from "../../lib/emulator";
import {
  clearProviderConfig,
  ForwardEndpointProvider,
  HealthCheckTaskProvider,
  UNKNOWN_SENTINEL,
} from "../../lib/pulumi";
import { closeAllPools } from "../../lib/runlater";

const API_KEY = "pk_test_prov.sk_test_provider_secret_0001";
const DNS_TOKEN = "cf-provider-test-token-0002";
const ROOT = path.join(__dirname, "..", "..");

let emu: Emulator;
const task = new HealthCheckTaskProvider();
const endpoint = new ForwardEndpointProvider();
const config = (values: Record<string, string>) => ({
  config: { get: (k: string) => values[k], require: (k: string) => values[k] },
});

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true });
  await task.configure(config({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl }) as never);
});
afterAll(async () => {
  clearProviderConfig();
  await emu.close();
  await closeAllPools();
});
beforeEach(() => emu.faults.clear());

async function checked<T>(p: { check?: (o: T, n: T) => Promise<{ inputs?: unknown; failures?: unknown[] }> }, news: object) {
  const r = await p.check!({} as T, news as T);
  expect(r.failures).toEqual([]);
  return r.inputs as Record<string, unknown>;
}

describe("HealthCheckTask provider", () => {
  it("validates every field at once, naming fields and allowed values", async () => {
    const r = await task.check({} as never, {
      name: "x",
      url: "javascript:alert(1)",
      cron: "61 * * * *",
      method: "FETCH",
      timeoutMs: 999,
      expectedStatusCodes: [200, 99, 600.5],
      headers: { "X-Ok": "a", "Bad Name": "b", "X-Inject": "a\r\nSet-Cookie: x" },
      onFailureUrl: "ftp://x",
    } as never);
    const byField = Object.fromEntries(r.failures!.map((f) => [f.property, f.reason]));
    expect(Object.keys(byField).sort()).toEqual(
      [
        "cron",
        "expectedStatusCodes[1]",
        "expectedStatusCodes[2]",
        "headers.Bad Name",
        "headers.X-Inject",
        "method",
        "onFailureUrl",
        "timeoutMs",
        "url",
      ].sort(),
    );
    expect(byField.method).toContain("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    expect(byField.timeoutMs).toContain("1000 to 300000");
    expect(byField.url).toContain("http or https");
    expect(byField["headers.X-Inject"]).not.toContain("Set-Cookie");
  });

  it("applies defaults and tolerates unknown values during preview", async () => {
    const i = await checked(task, { name: "h", url: "https://example.com/health" });
    expect(i).toMatchObject({ method: "GET", cron: "* * * * *", timeoutMs: 10000, enabled: true, headers: {} });
    const p = await task.check({} as never, { name: "h", url: UNKNOWN_SENTINEL, cron: UNKNOWN_SENTINEL } as never);
    expect(p.failures).toEqual([]);
  });

  it("refuses a private health URL unless private targets are allowed", async () => {
    const r = await task.check({} as never, { name: "h", url: "http://127.0.0.1:9/health" } as never);
    expect(r.failures!.map((f) => f.property)).toEqual(["url"]);
    expect(r.failures![0].reason).toContain("private");
  });

  it("create → no-op diff (0 calls) → refresh (1 GET) → out-of-band edit → drift → update repairs", async () => {
    const inputs = await checked(task, { name: "h1", url: "https://example.com/health", expectedStatusCodes: [200] });
    emu.resetStats();
    const { id, outs } = await task.create(inputs as never);
    expect(emu.stats().requests.total).toBe(1);
    expect(outs).toMatchObject({ taskId: id, cron: "* * * * *", expectedStatusCodes: [200], schemaVersion: 1 });
    expect(outs!.nextRunAt).toMatch(/Z$/);

    emu.resetStats();
    const d = await task.diff(id, outs!, inputs as never);
    expect(d.changes).toBe(false);
    expect(emu.stats().requests.total).toBe(0);

    emu.resetStats();
    const r = await task.read!(id, outs);
    expect(emu.stats().requests.total).toBe(1);
    expect((await task.diff(id, r.props!, inputs as never)).changes).toBe(false);

    await fetch(`${emu.runlaterApiUrl}/tasks/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ timeout_ms: 45000, expected_status_codes: "200,503" }),
    });
    const drift = await task.read!(id, outs);
    expect(drift.props).toMatchObject({ timeoutMs: 45000, expectedStatusCodes: [200, 503] });
    expect(drift.inputs).toMatchObject({ timeoutMs: 45000 });
    const d2 = await task.diff(id, drift.props!, inputs as never);
    expect(d2).toMatchObject({ changes: true, replaces: [] });

    emu.resetStats();
    const u = await task.update!(id, drift.props!, inputs as never);
    expect(emu.stats().requests.total).toBe(1);
    expect(u.outs).toMatchObject({ timeoutMs: 10000, expectedStatusCodes: [200] });

    // Changing the schedule really changes it (PATCH sends cron_expression).
    const hourly = { ...inputs, cron: "0 * * * *" };
    const u2 = await task.update!(id, u.outs!, hourly as never);
    expect(u2.outs!.cron).toBe("0 * * * *");
    expect(emu.tasks().find((t) => t.id === id)?.cron_expression ?? emu.tasks().find((t) => t.id === id)?.cronExpression).toBe(
      "0 * * * *",
    );
    await task.delete!(id, u2.outs!);
  });

  it("an object deleted out of band disappears on refresh; delete of a gone object succeeds", async () => {
    const inputs = await checked(task, { name: "h2", url: "https://example.com/health" });
    const { id, outs } = await task.create(inputs as never);
    await fetch(`${emu.runlaterApiUrl}/tasks/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${API_KEY}` } });
    const r = await task.read!(id, outs);
    expect(r.id).toBeUndefined();
    await expect(task.delete!(id, outs!)).resolves.toBeUndefined();
  });

  it("adopts an existing task (GET + PATCH, no POST) and `get` reads one by id", async () => {
    const res = await fetch(`${emu.runlaterApiUrl}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "hand-made", url: "https://example.com/old", cron: "*/10 * * * *" }),
    });
    const existing = ((await res.json()) as { data: { id: string } }).data;
    const before = emu.stats().objects.tasks;
    const inputs = await checked(task, { name: "adopted", url: "https://example.com/health", adoptId: existing.id });
    emu.resetStats();
    const { id, outs } = await task.create(inputs as never);
    expect(id).toBe(existing.id);
    expect(emu.stats().objects.tasks).toBe(before);
    expect(emu.stats().requests.byRoute["runlater.tasks.create"] ?? 0).toBe(0);
    expect(outs).toMatchObject({ name: "adopted", url: "https://example.com/health", cron: "* * * * *" });
    // Removing adoptId later is a no-op.
    const { adoptId: _drop, ...withoutAdopt } = inputs;
    expect((await task.diff(id, outs!, withoutAdopt as never)).changes).toBe(false);
    // `get` (the id option): read with only the id.
    const got = await task.read!(existing.id, {} as never);
    expect(got.props).toMatchObject({ name: "adopted", taskId: existing.id });
    await expect(task.create({ ...inputs, adoptId: "0190c0de-0000-7000-8000-000000000000" } as never)).rejects.toThrow(
      /adoptId: Runlater task .* does not exist/,
    );
    await task.delete!(id, outs!);
  });

  it("retries 429 and 503 and never duplicates a create whose reply was lost", async () => {
    const inputs = await checked(task, { name: "retry", url: "https://example.com/health" });
    emu.faults.add({ route: "runlater.tasks.create", status: 429, times: 2 });
    const a = await task.create(inputs as never);
    emu.faults.add({ route: "runlater.tasks.create", kind: "drop", after: true, times: 1 });
    const before = emu.stats().objects.tasks;
    const b = await task.create({ ...inputs, name: "retry-2" } as never);
    expect(emu.stats().objects.tasks).toBe(before + 1);
    await task.delete!(a.id, a.outs!);
    await task.delete!(b.id, b.outs!);
  });
});

describe("ForwardEndpoint provider", () => {
  it("serializes object bodies stably, defaults retries, and updates in place (1 call)", async () => {
    const inputs = await checked(endpoint, {
      name: "flip",
      forwardUrls: ["https://api.example.com/x"],
      forwardHeaders: { Authorization: `Bearer ${DNS_TOKEN}` },
      forwardBody: { z: 1, a: { c: 2, b: 1 } },
      forwardMethod: "patch",
    });
    expect(inputs).toMatchObject({ forwardBody: '{"a":{"b":1,"c":2},"z":1}', forwardMethod: "PATCH", retryAttempts: 3 });
    const { id, outs } = await endpoint.create(inputs as never);
    expect(outs!.inboundUrl).toBe(`${emu.url}/in/${outs!.slug}`);
    const changed = { ...inputs, forwardBody: '{"content":"203.0.113.9"}' };
    const d = await endpoint.diff(id, outs!, changed as never);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    emu.resetStats();
    const u = await endpoint.update!(id, outs!, changed as never);
    expect(emu.stats().requests.total).toBe(1);
    expect(u.outs!.slug).toBe(outs!.slug);
    await endpoint.delete!(id, u.outs!);
  });

  it("rejects bad forward settings with field names", async () => {
    const r = await endpoint.check({} as never, {
      name: "",
      forwardUrls: [],
      retryAttempts: 11,
      forwardBody: "x".repeat(256 * 1024 + 1),
    } as never);
    expect(r.failures!.map((f) => f.property).sort()).toEqual(["forwardBody", "forwardUrls", "name", "retryAttempts"]);
  });
});

describe("serialized provider round trip", () => {
  it("loads the serialized text and runs the whole CRUD flow; no key or token in the text", async () => {
    const out = execFileSync(
      process.execPath,
      [
        path.join(ROOT, "test/support/capture-program.js"),
        JSON.stringify([
          {
            kind: "ForwardEndpoint",
            name: "rt",
            args: { forwardUrls: ["https://api.example.com/x"], forwardHeaders: { Authorization: `Bearer ${DNS_TOKEN}` } },
            secretArgs: ["forwardHeaders"],
          },
        ]),
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNLATER_API_KEY: API_KEY } },
    );
    const [res] = JSON.parse(out) as { inputs: Record<string, unknown> }[];
    const text = res.inputs.__provider as string;
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(DNS_TOKEN);
    const loaded = requireFromString(text).handler();
    await loaded.configure(config({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl }));
    const c = await loaded.check({}, { name: "rt", forwardUrls: ["https://api.example.com/x"] });
    const created = await loaded.create(c.inputs);
    const read = await loaded.read(created.id, created.outs);
    expect(read.props.inboundUrl).toBe(created.outs.inboundUrl);
    const upd = await loaded.update(created.id, created.outs, { ...c.inputs, retryAttempts: 5 });
    expect(upd.outs.retryAttempts).toBe(5);
    await loaded.delete(created.id, upd.outs);
    expect((await loaded.read(created.id, upd.outs)).id).toBeUndefined();

    // Errors thrown by the deserialized copy keep their message (the serializer rewrites
    // `super(message)` of Error subclasses into a call that sets nothing).
    const e = await loaded.update("00000000-0000-7000-8000-000000000000", upd.outs, { ...c.inputs, retryAttempts: 6 }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/Runlater endpoints\.\w+ failed: HTTP 404/);
    expect(String(e)).toContain("HTTP 404");
    expect((e as Error).message).not.toContain(API_KEY);
  });
});

describe("secret inputs (issue 11 §3)", () => {
  it("credential inputs are wrapped in pulumi.secret before registration (state inputs encrypted, not only outputs)", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { secretInputs } = await import("../../lib/pulumi/resource-support");
    const out = secretInputs({ headers: { authorization: "Bearer x" }, body: undefined, url: "https://p.example.com" }, ["headers", "body"]);
    expect(pulumi.Output.isInstance(out.headers)).toBe(true);
    expect(await (out.headers as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(out.body).toBeUndefined();
    expect(out.url).toBe("https://p.example.com");
  });
});
