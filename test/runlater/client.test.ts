/**
 * The Runlater client against the emulator: every operation, each error class, retries on
 * 429/5xx honouring Retry-After, no duplicate on a retried POST, no secret in any error.
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools, isNotFound, RunlaterApiError, RunlaterClient } from "../../lib/runlater";

const KEY = "pk_test_client.sk_test_client_secret_value_42";
let emu: Emulator;
let sleeps: number[];
let client: RunlaterClient;

const mk = (over: Partial<ConstructorParameters<typeof RunlaterClient>[0]> = {}) =>
  new RunlaterClient({
    apiKey: KEY,
    baseUrl: emu.runlaterApiUrl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  });

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: { [KEY]: "org_a", "pk_test_other.sk_test_other": "org_b" } });
});
afterAll(async () => {
  await emu.close();
  await closeAllPools();
});
beforeEach(() => {
  sleeps = [];
  emu.faults.clear();
  client = mk();
});

async function expectError(p: Promise<unknown>): Promise<RunlaterApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RunlaterApiError);
    expect(String((e as Error).message)).not.toContain(KEY);
    expect(JSON.stringify(e)).not.toContain(KEY);
    return e as RunlaterApiError;
  }
  throw new Error("expected an error");
}

describe("tasks", () => {
  it("create (cron) → get → update (cron_expression) → list → delete → 404", async () => {
    const t = await client.createCronTask({
      name: "health",
      url: "https://example.com/health",
      cron: "*/5 * * * *",
      timeoutMs: 10_000,
      expectedStatusCodes: [200, 204],
    });
    expect(t).toMatchObject({ scheduleType: "cron", cronExpression: "*/5 * * * *", expectedStatusCodes: [200, 204], method: "GET" });
    expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(emu.tasks().find((x) => x.id === t.id)!.expected_status_codes).toBe("200,204");
    expect((await client.getTask(t.id)).name).toBe("health");
    const u = await client.updateCronTask(t.id, { cron: "0 * * * *", onFailureUrl: "https://x.example/in/a" });
    expect(u.cronExpression).toBe("0 * * * *");
    expect(u.nextRunAt).toBe("2026-01-01T01:00:00Z");
    expect(u.onFailureUrl).toBe("https://x.example/in/a");
    const cleared = await client.updateCronTask(t.id, { onFailureUrl: null });
    expect(cleared.onFailureUrl).toBeNull();
    const all = await client.listAllTasks();
    expect(all.map((x) => x.id)).toContain(t.id);
    await client.deleteTask(t.id);
    const e = await expectError(client.getTask(t.id));
    expect(e.status).toBe(404);
    expect(e.code).toBe("not_found");
    expect(isNotFound(e)).toBe(true);
    expect(isNotFound(await expectError(client.deleteTask(t.id)))).toBe(true);
  });

  it("lists with pagination (has_more, limit, offset)", async () => {
    for (let i = 0; i < 3; i++) await client.createCronTask({ url: `https://example.com/${i}`, cron: "0 * * * *" });
    const page = await client.listTasks({ limit: 2 });
    expect(page.tasks).toHaveLength(2);
    expect(page.hasMore).toBe(true);
    const rest = await client.listTasks({ limit: 2, offset: 2 });
    expect(rest.offset).toBe(2);
  });

  it("triggers a task and lists its executions", async () => {
    const t = await client.createCronTask({ url: "https://example.invalid/x", cron: "0 0 1 1 *" });
    const execId = await client.triggerTask(t.id);
    expect(execId).toMatch(/-/);
    const ex = await client.listExecutions(t.id);
    expect(ex[0]).toMatchObject({ id: execId, status: "pending", attempt: 1 });
  });

  it("speaks the /schedules dialect too", async () => {
    const c = mk({ dialect: "schedules" });
    const t = await c.createCronTask({ url: "https://example.com/s", cron: "*/10 * * * *" });
    expect((await c.getTask(t.id)).cronExpression).toBe("*/10 * * * *");
    expect((await c.updateCronTask(t.id, { cron: "*/15 * * * *" })).cronExpression).toBe("*/15 * * * *");
    await c.deleteTask(t.id);
  });
});

describe("endpoints", () => {
  it("create → get → update (slug stable) → list → delete", async () => {
    const e = await client.createEndpoint({
      name: "flip",
      forwardUrls: ["https://api.example.com/dns"],
      forwardHeaders: { Authorization: "Bearer dns-token" },
      forwardBody: '{"content":"203.0.113.50"}',
      forwardMethod: "PATCH",
      retryAttempts: 3,
    });
    expect(e.inboundUrl).toBe(`${emu.url}/in/${e.slug}`);
    expect(e.slug).toMatch(/^ep_[A-Za-z0-9_-]{32}$/);
    expect(e).toMatchObject({ forwardMethod: "PATCH", retryAttempts: 3, useQueue: true });
    const u = await client.updateEndpoint(e.id, { forwardBody: '{"content":"198.51.100.10"}' });
    expect(u.slug).toBe(e.slug);
    expect(u.forwardBody).toBe('{"content":"198.51.100.10"}');
    expect((await client.listEndpoints()).map((x) => x.id)).toContain(e.id);
    await client.deleteEndpoint(e.id);
    expect(isNotFound(await expectError(client.getEndpoint(e.id)))).toBe(true);
  });
});

describe("errors", () => {
  it("401 for a bad key, without the key in the message", async () => {
    const bad = mk({ apiKey: "pk_test_wrong.sk_test_wrong_secret_zz" });
    const e = await expectError(bad.listEndpoints());
    expect(e.status).toBe(401);
    expect(e.code).toBe("unauthorized");
    expect(e.message).not.toContain("sk_test_wrong_secret_zz");
  });

  it("bad input is refused before any call, naming the fields", async () => {
    const before = emu.stats().requests.total;
    const e = await expectError(client.createCronTask({ url: "not a url", cron: "* * *", timeoutMs: 5 }));
    expect(e).toMatchObject({ kind: "validation", status: 0, attempts: 0 });
    expect(Object.keys(e.fieldErrors!).sort()).toEqual(["cron", "timeoutMs", "url"]);
    expect(e.message).toContain("timeoutMs");
    expect(emu.stats().requests.total).toBe(before);
  });

  it("422 carries field errors (a private target only the server refuses)", async () => {
    const e = await expectError(client.createCronTask({ url: "http://127.0.0.1:9/x", cron: "0 * * * *" }));
    expect(e.status).toBe(422);
    expect(e.code).toBe("validation_error");
    expect(Object.keys(e.fieldErrors!)).toContain("url");
    expect(e.message).toContain("url");
  });

  it("another organisation's object is 404", async () => {
    const t = await client.createCronTask({ url: "https://example.com/mine", cron: "0 * * * *" });
    const other = mk({ apiKey: "pk_test_other.sk_test_other" });
    expect((await expectError(other.getTask(t.id))).status).toBe(404);
  });

  it("a client without a key fails before any call", () => {
    const before = emu.stats().requests.total;
    expect(() => new RunlaterClient({ apiKey: "" })).toThrow(/RUNLATER_API_KEY/);
    expect(emu.stats().requests.total).toBe(before);
  });
});

describe("retries", () => {
  it("retries 429 with backoff and succeeds", async () => {
    emu.faults.add({ route: "runlater.endpoints.list", status: 429, times: 2 });
    await client.listEndpoints();
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
  });

  it("honours Retry-After on 503", async () => {
    emu.faults.add({ route: "runlater.endpoints.list", status: 503, times: 1 });
    await client.listEndpoints();
    expect(sleeps).toEqual([5000]);
  });

  it("does not retry a 4xx", async () => {
    const e = await expectError(client.getTask("0190c0de-0000-7000-8000-000000000000"));
    expect(e.attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("gives up after maxAttempts with kind 'exhausted'", async () => {
    emu.faults.add({ route: "runlater.endpoints.list", status: 500 });
    const c = mk({ retry: { maxAttempts: 3 } });
    const e = await expectError(c.listEndpoints());
    expect(e.kind).toBe("exhausted");
    expect(e.attempts).toBe(3);
    expect(e.status).toBe(500);
  });

  it("retries dropped connections and per-request timeouts", async () => {
    emu.faults.add({ route: "runlater.endpoints.list", kind: "drop", times: 1 });
    await client.listEndpoints();
    emu.faults.add({ route: "runlater.endpoints.list", kind: "hang", times: 1, hangMs: 5000 });
    const c = mk({ timeoutMs: 200 });
    await c.listEndpoints();
    expect(sleeps).toHaveLength(2);
  });

  it("a retried POST whose reply was lost creates exactly one object (Idempotency-Key)", async () => {
    const before = emu.stats().objects.endpoints;
    emu.faults.add({ route: "runlater.endpoints.create", kind: "drop", after: true, times: 1 });
    const e = await client.createEndpoint({ name: "once", forwardUrls: ["https://example.com/x"] });
    expect(emu.stats().objects.endpoints).toBe(before + 1);
    expect((await client.getEndpoint(e.id)).name).toBe("once");
    emu.faults.add({ route: "runlater.tasks.create", status: 502, after: true, times: 1 });
    const beforeTasks = emu.stats().objects.tasks;
    await client.createCronTask({ url: "https://example.com/once", cron: "0 * * * *" });
    expect(emu.stats().objects.tasks).toBe(beforeTasks + 1);
  });

  it("the same idempotency key replays the stored response; a key in flight answers 409 and is retried", async () => {
    const a = await client.createEndpoint({ name: "k", forwardUrls: ["https://example.com/x"] }, { idempotencyKey: "fixed-key-1" });
    const b = await client.createEndpoint({ name: "k", forwardUrls: ["https://example.com/x"] }, { idempotencyKey: "fixed-key-1" });
    expect(b.id).toBe(a.id);
  });
});
