/**
 * Client hardening (issue 11 §2), against local servers (the monitor fake and raw `http`):
 * options checked up front, no pool slot leaked by any failure, ids checked and encoded,
 * typed errors for odd inputs and odd replies, lost create replies found again, every secret
 * redacted from errors.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { closeAllPools, RunlaterApiError, RunlaterClient } from "../../lib/runlater";
import { sendRequest } from "../../lib/runlater/http";
import { type FakeRunlater, startFakeRunlater } from "./fake-runlater";

const KEY = "pk_test_hard.sk_test_hardening_secret_0005";
let fake: FakeRunlater;
let client: RunlaterClient;
const mk = (over: Record<string, unknown> = {}) =>
  new RunlaterClient({ apiKey: KEY, baseUrl: fake.apiUrl, sleep: async () => undefined, random: () => 0.5, ...over });

beforeAll(async () => {
  fake = await startFakeRunlater(KEY);
  client = mk();
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.overrides.length = 0;
});

async function rejected(p: Promise<unknown> | (() => unknown)): Promise<RunlaterApiError> {
  let e: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(RunlaterApiError);
  expect(JSON.stringify(e)).not.toContain("sk_test_hardening_secret");
  expect(String((e as Error).message)).not.toContain("sk_test_hardening_secret");
  return e as RunlaterApiError;
}

describe("options are checked up front; nothing is sent", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["API key with a trailing newline", { apiKey: `${KEY}\n` }, "apiKey"],
    ["API key with CRLF inside", { apiKey: "pk_a\r\n.sk_b" }, "apiKey"],
    ["API key with a space", { apiKey: "pk_a sk_b" }, "apiKey"],
    ["API key with a non-ASCII character", { apiKey: "pk_ä.sk_b" }, "apiKey"],
    ["API key not a string", { apiKey: 42 }, "apiKey"],
    ["timeoutMs -1", { timeoutMs: -1 }, "timeoutMs"],
    ["timeoutMs 0", { timeoutMs: 0 }, "timeoutMs"],
    ["timeoutMs NaN", { timeoutMs: Number.NaN }, "timeoutMs"],
    ["timeoutMs Infinity", { timeoutMs: Number.POSITIVE_INFINITY }, "timeoutMs"],
    ["timeoutMs a string", { timeoutMs: "5000" }, "timeoutMs"],
    ["retry.maxAttempts 0", { retry: { maxAttempts: 0 } }, "retry.maxAttempts"],
    ["dialect unknown", { dialect: "v2" }, "dialect"],
    ["baseUrl with credentials", { baseUrl: "https://u:p@runlater.eu/api/v1" }, "apiUrl"],
    ["baseUrl with CRLF", { baseUrl: "https://runlater.eu/api\r\n/v1" }, "apiUrl"],
    ["sleep not a function", { sleep: 5 }, "sleep"],
  ])("%s", async (_what, over, field) => {
    const e = await rejected(() => mk(over));
    expect(e.kind).toBe("validation");
    expect(Object.keys(e.fieldErrors!)).toContain(field);
    expect(e.message).not.toContain("pk_a");
    expect(fake.requests).toHaveLength(0);
  });

  it("an idempotency key with CR/LF (or too long, or empty) is refused; the value is never echoed", async () => {
    for (const k of ["abc\r\nX-Injected: 1", "", " ", "x".repeat(256), "schlüssel"]) {
      const e = await rejected(client.createMonitor({ name: "m", scheduleType: "interval", intervalSeconds: 60 }, { idempotencyKey: k }));
      expect(e.fieldErrors).toHaveProperty("idempotencyKey");
      expect(e.message).not.toContain("X-Injected");
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe("ids are checked (UUID) and encoded", () => {
  it("getTask('.') / deleteTask('.') never reach GET /tasks or DELETE /tasks (the cancel-by-queue route)", async () => {
    for (const id of [".", "..", "", "./", "%2e", "a/b", "x?queue=q", "0190c0de-0000-7000-8000-000000000000/..", " "]) {
      for (const call of [
        () => client.getTask(id),
        () => client.deleteTask(id),
        () => client.updateCronTask(id, { name: "x" }),
        () => client.triggerTask(id),
        () => client.listExecutions(id),
        () => client.getEndpoint(id),
        () => client.deleteEndpoint(id),
        () => client.updateEndpoint(id, {}),
        () => client.getMonitor(id),
        () => client.deleteMonitor(id),
        () => client.updateMonitor(id, {}),
      ]) {
        const e = await rejected(call);
        expect(e.kind).toBe("validation");
        expect(e.fieldErrors).toHaveProperty("id");
      }
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("a lone surrogate is a typed error, not a URIError", async () => {
    const e = await rejected(client.getTask("\uD800"));
    expect(e.kind).toBe("validation");
    expect(e.message).toContain("\\ud800");
  });

  it("a valid id is sent as is (upper-case hex too)", async () => {
    const e = await rejected(client.getMonitor("0190C0DE-0000-7000-8000-00000000ABCD"));
    expect(e.status).toBe(404);
    expect(fake.requests.map((r) => r.path)).toEqual(["/api/v1/monitors/0190C0DE-0000-7000-8000-00000000ABCD"]);
  });
});

describe("odd inputs and odd replies are typed errors", () => {
  it("expectedStatusCodes '200' (a string) is a field error, not `codes.join is not a function`", async () => {
    const e = await rejected(
      client.createCronTask({ url: "https://example.com/h", cron: "0 * * * *", expectedStatusCodes: "200" as never }),
    );
    expect(e.fieldErrors).toHaveProperty("expectedStatusCodes");
    const u = await rejected(client.updateCronTask("0190c0de-0000-7000-8000-000000000000", { expectedStatusCodes: 200 as never }));
    expect(u.fieldErrors).toHaveProperty("expectedStatusCodes");
    expect(fake.requests).toHaveLength(0);
  });

  it("a 422 whose details values are not arrays still gives field errors", async () => {
    fake.overrides.push({
      method: "POST",
      status: 422,
      body: { error: { code: "validation_error", details: { name: "is reserved", grace_period_seconds: 3, base: { nested: true } } } },
    });
    const e = await rejected(client.createMonitor({ name: "m", scheduleType: "interval", intervalSeconds: 60 }));
    expect(e).toMatchObject({ kind: "http", status: 422, code: "validation_error" });
    expect(e.fieldErrors).toEqual({ name: ["is reserved"], grace_period_seconds: ["3"], base: ["invalid"] });
  });

  it("a list reply that is not a list is a protocol error", async () => {
    fake.overrides.push({ method: "GET", path: /monitors$/, status: 200, body: { data: { not: "a list" } }, times: 5 });
    const e = await rejected(client.listMonitors());
    expect(e.kind).toBe("protocol");
  });

  it("a create whose 200 reply is not JSON: retried with the same key, the stored object comes back (one object)", async () => {
    const before = fake.monitors.size;
    fake.overrides.push({ method: "POST", path: /monitors$/, status: 200, raw: "<html>gateway</html>", after: true, times: 1 });
    const m = await client.createMonitor({ name: "once", scheduleType: "interval", intervalSeconds: 60 });
    expect(fake.monitors.size).toBe(before + 1);
    const posts = fake.requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1].headers["idempotency-key"]).toBe(posts[0].headers["idempotency-key"]);
    expect(m.id).toBe([...fake.monitors.keys()].at(-1));
  });

  it("when every reply is unreadable: a protocol error with the idempotency key (and the id when visible); the key finds the object again", async () => {
    fake.overrides.push({ method: "POST", path: /monitors$/, status: 201, raw: "not json", after: true, times: 3 });
    const c = mk({ retry: { maxAttempts: 3 } });
    const e = await rejected(c.createMonitor({ name: "lost", scheduleType: "interval", intervalSeconds: 60 }));
    expect(e).toMatchObject({ kind: "protocol", status: 201, attempts: 3 });
    expect(e.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.message).toContain(e.idempotencyKey);
    const again = await c.createMonitor({ name: "lost", scheduleType: "interval", intervalSeconds: 60 }, { idempotencyKey: e.idempotencyKey });
    expect([...fake.monitors.values()].filter((m) => m.name === "lost").map((m) => m.id)).toEqual([again.id]);

    fake.overrides.push({ method: "POST", path: /monitors$/, status: 201, raw: '{"data":{"id":"0190c0de-2222-7000-8000-000000000002","name":"x"', times: 3 });
    const withId = await rejected(c.createMonitor({ name: "cut", scheduleType: "interval", intervalSeconds: 60 }));
    expect(withId.objectId).toBe("0190c0de-2222-7000-8000-000000000002");
  });
});

describe("secrets are redacted from every error", () => {
  it("a 422 echoing a forward URL with a token in its query string, a header and the body", async () => {
    const token = "tok_live_8f14e45fceea167a5a36dedd4bea2543";
    const header = "Bearer cf-header-secret-9911aa";
    const bodyKey = "sk1_porkbun_secret_abcdef";
    fake.overrides.push({
      method: "POST",
      status: 422,
      body: {
        error: {
          code: "validation_error",
          message: `bad https://api.example.com/dns?token=${token}&zone=z (auth ${header})`,
          details: {
            forward_urls: [`https://api.example.com/dns?token=${token} is not allowed`],
            forward_headers: [`Authorization ${header} rejected`],
            forward_body: [`apikey ${bodyKey} unknown`],
            [`https://user:pw-secret-777@api.example.com/x`]: ["odd key"],
          },
        },
      },
    });
    const e = await rejected(
      client.createEndpoint({
        name: "ep",
        forwardUrls: [`https://api.example.com/dns?token=${token}`],
        forwardHeaders: { Authorization: header },
        forwardBody: JSON.stringify({ secretapikey: bodyKey, content: "203.0.113.50" }),
      }),
    );
    const all = `${e.message} ${JSON.stringify(e)} ${JSON.stringify(e.fieldErrors)}`;
    for (const s of [token, header, "cf-header-secret-9911aa", bodyKey, "pw-secret-777"]) expect(all).not.toContain(s);
    expect(e.fieldErrors).toHaveProperty("forward_urls");
    expect(e.message).toContain("validation_error");
  });

  it("capability tokens the client did not send (ep_ slugs, pm_ ping tokens) are scrubbed too", async () => {
    fake.overrides.push({ method: "GET", status: 500, body: { error: { message: "see https://runlater.eu/ping/pm_abcdefghijklmnopqrstuvwxyz012345 and ep_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" } }, times: 5 });
    const e = await rejected(mk({ retry: { maxAttempts: 1 } }).listMonitors());
    expect(e.message).not.toContain("pm_abcdefghijklmnop");
    expect(e.message).not.toContain("ep_ABCDEFGHIJKLMNOP");
  });
});

describe("no failure can leak a pool slot; no request outlives its deadline", () => {
  let server: http.Server;
  let url: string;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url?.includes("/hang")) return; // never answers
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ data: [] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await closeAllPools();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("a healthy client still works after 50 invalid requests (and the invalid ones sent nothing)", async () => {
    const c = new RunlaterClient({ apiKey: KEY, baseUrl: url, timeoutMs: 2000, retry: { maxAttempts: 1 } });
    hits = 0;
    const transport = { baseUrl: url, apiKey: KEY, retry: { maxAttempts: 1 } };
    const invalid: Array<() => Promise<unknown>> = [
      // Below the client: the transport's own preflight (a CRLF key would once strand a slot).
      () => sendRequest({ ...transport, apiKey: `${KEY}\r\n` }, { operation: "x", method: "GET", path: "/endpoints" }),
      () => sendRequest(transport, { operation: "x", method: "POST", path: "/endpoints", idempotencyKey: "a\r\nb" }),
      () => sendRequest({ ...transport, timeoutMs: -1 }, { operation: "x", method: "GET", path: "/endpoints" }),
      () => sendRequest(transport, { operation: "x", method: "GET", path: "/tasks/../x" }),
      () => sendRequest(transport, { operation: "x", method: "GET", path: "/tasks/a b" }),
      () => sendRequest(transport, { operation: "x", method: "POST", path: "/x", body: { n: 1n } }),
      () => c.getTask("."),
      () => c.createEndpoint({ name: "x", forwardUrls: ["https://x.example"] }, { idempotencyKey: "\n" }),
      () => c.createMonitor({ name: "m", scheduleType: "interval", intervalSeconds: 1 }),
      () => c.listTasks({ limit: -5 }),
      () => c.createEndpoint({ name: "x", forwardUrls: ["https://x.example"] }, { idempotencyScope: "\uD800" }),
    ];
    for (let i = 0; i < 50; i++) {
      const e = await rejected(invalid[i % invalid.length]);
      expect(e.kind).toBe("validation");
    }
    expect(hits).toBe(0);
    const started = Date.now();
    // More concurrent requests than the pool has connections (16).
    const results = await Promise.all(Array.from({ length: 40 }, () => c.listEndpoints()));
    expect(results.every((r) => Array.isArray(r))).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(hits).toBe(40);
  });

  it("a server that never answers fails within timeoutMs (one deadline per attempt), and the pool stays usable", async () => {
    const c = new RunlaterClient({ apiKey: KEY, baseUrl: url, timeoutMs: 150, retry: { maxAttempts: 1 } });
    const started = Date.now();
    const hung = await Promise.all(
      Array.from({ length: 20 }, () => sendRequest({ baseUrl: url, apiKey: KEY, timeoutMs: 150, retry: { maxAttempts: 1 } }, { operation: "hang", method: "GET", path: "/hang" }).catch((e: unknown) => e)),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(hung.every((e) => e instanceof RunlaterApiError && e.kind === "exhausted")).toBe(true);
    expect(await c.listEndpoints()).toEqual([]);
  });
});
