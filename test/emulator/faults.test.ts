/**
 * Fault injection, in-process and over the control API: 429/5xx N times, hang, drop, delay,
 * "created but reply lost" (after: true), matching by route glob or method + path regex,
 * seeded probabilities and the throttle.
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { controlFetch } from "../support/emulator-control";
import { apiClient } from "./helpers";

const KEY = "pk_test_faults.sk_test_faults";
let emu: Emulator;
const api = apiClient(() => emu.runlaterApiUrl, KEY);
const control = (method: string, p: string, body?: unknown) => controlFetch(emu, method, p, body);

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY], rateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.faults.clear();
  emu.resetStats();
});

describe("status faults", () => {
  it("429 N times (string body, no Retry-After), then the real answer; the rule is then spent", async () => {
    emu.faults.add({ route: "runlater.tasks.list", status: 429, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api("GET", "/tasks");
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.body).toEqual({ error: "Rate limit exceeded. Try again later." });
        expect(r.headers.get("retry-after")).toBeNull();
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect(emu.faults.list()).toEqual([]);
    expect(emu.stats().requests.byRoute["runlater.tasks.list"]).toBe(3); // faulted requests are counted
    expect(emu.requests().slice(-3).map((r) => [r.status, r.fault ?? null])).toEqual([
      [429, "status"],
      [429, "status"],
      [200, null],
    ]);
  });

  it("429 with Retry-After, 503 with retry-after: 5 and the service_unavailable body, 500 with Phoenix's body, custom bodies", async () => {
    emu.faults.add({ route: "runlater.endpoints.list", status: 429, retryAfter: 2, times: 1 });
    emu.faults.add({ route: "runlater.endpoints.list", status: 503, times: 1 });
    emu.faults.add({ route: "runlater.endpoints.list", status: 500, times: 1 });
    emu.faults.add({ route: "runlater.endpoints.list", status: 502, body: "bad gateway", headers: { "X-Trace": "1" }, times: 1 });
    const a = await api("GET", "/endpoints");
    expect([a.status, a.headers.get("retry-after")]).toEqual([429, "2"]);
    const b = await api("GET", "/endpoints");
    expect([b.status, b.headers.get("retry-after"), b.body]).toEqual([503, "5", { error: { code: "service_unavailable", message: "Server is busy, please retry" } }]);
    const c = await api("GET", "/endpoints");
    expect([c.status, c.body]).toEqual([500, { errors: { detail: "Internal Server Error" } }]);
    const d = await api("GET", "/endpoints");
    expect([d.status, d.text, d.headers.get("x-trace")]).toEqual([502, "bad gateway", "1"]);
    expect((await api("GET", "/endpoints")).status).toBe(200);
  });

  it("matches by glob, by method + path regex; never applies to the control API", async () => {
    emu.faults.add({ route: "cloudflare.*", status: 500 });
    emu.faults.add({ method: "POST", path: "^/api/v1/endpoints$", status: 418, times: 1 });
    expect((await api("GET", "/endpoints")).status).toBe(200);
    expect((await api("POST", "/endpoints", { name: "x", forward_urls: ["https://e.example"] })).status).toBe(418);
    expect((await fetch(`${emu.cloudflareApiUrl}/zones`, { headers: { authorization: "Bearer cf-test-token" } })).status).toBe(500);
    emu.faults.add({ route: "*", status: 500 });
    expect((await control("GET", "/stats")).status).toBe(200);
  });
});

describe("connection faults", () => {
  it("drop destroys the socket; hang never answers (until the client gives up or hangMs); delay answers late", async () => {
    emu.faults.add({ route: "runlater.tasks.list", kind: "drop", times: 1 });
    await expect(fetch(`${emu.runlaterApiUrl}/tasks`, { headers: { authorization: `Bearer ${KEY}` } })).rejects.toThrow();

    emu.faults.add({ route: "runlater.tasks.list", kind: "hang", times: 1 });
    const ac = new AbortController();
    const hung = fetch(`${emu.runlaterApiUrl}/tasks`, { headers: { authorization: `Bearer ${KEY}` }, signal: ac.signal });
    const seen = emu.stats().requests.total;
    for (let i = 0; i < 10_000 && emu.stats().requests.total === seen; i++) await new Promise((r) => setImmediate(r));
    ac.abort();
    await expect(hung).rejects.toThrow();

    emu.faults.add({ route: "runlater.tasks.list", kind: "hang", hangMs: 50, times: 1 });
    await expect(fetch(`${emu.runlaterApiUrl}/tasks`, { headers: { authorization: `Bearer ${KEY}` } })).rejects.toThrow();

    emu.faults.add({ route: "runlater.tasks.list", kind: "delay", delayMs: 30, times: 1 });
    const t0 = performance.now();
    expect((await api("GET", "/tasks")).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect((await api("GET", "/tasks")).status).toBe(200);
  });
});

describe("after: true — the change happens, the reply is lost", () => {
  it("a dropped create still creates; a retry with the same Idempotency-Key gets the original answer, no duplicate", async () => {
    const before = emu.stats().objects.endpoints;
    emu.faults.add({ route: "runlater.endpoints.create", kind: "drop", after: true, times: 1 });
    const body = { name: "lost-reply", forward_urls: ["https://e.example"] };
    await expect(api("POST", "/endpoints", body, { "idempotency-key": "lost-1" })).rejects.toThrow();
    expect(emu.stats().objects.endpoints).toBe(before + 1);
    const retry = await api("POST", "/endpoints", body, { "idempotency-key": "lost-1" });
    expect(retry.status).toBe(201);
    expect(retry.body.data.name).toBe("lost-reply");
    expect(emu.stats().objects.endpoints).toBe(before + 1);
    expect(emu.endpoints().filter((e) => e.name === "lost-reply")).toHaveLength(1);
  });

  it("a 502 after the handler ran: the client sees an error, the object exists", async () => {
    const before = emu.stats().objects.tasks;
    emu.faults.add({ route: "runlater.tasks.create", status: 502, after: true, times: 1 });
    const r = await api("POST", "/tasks", { url: "https://example.com/x", cron: "0 * * * *", name: "after-502" });
    expect(r.status).toBe(502);
    expect(emu.stats().objects.tasks).toBe(before + 1);
    expect(emu.tasks().map((t) => t.name)).toContain("after-502");
  });
});

describe("probability and throttle", () => {
  it("probabilistic faults are deterministic for a seed", async () => {
    const sequence = async (seed: number) => {
      const e = await startEmulator({ apiKeys: [KEY], seed, rateLimit: false });
      try {
        e.faults.add({ route: "runlater.*", status: 429, probability: 0.5 });
        const out: number[] = [];
        for (let i = 0; i < 16; i++) out.push((await fetch(`${e.runlaterApiUrl}/tasks`, { headers: { authorization: `Bearer ${KEY}` } })).status);
        return out;
      } finally {
        await e.close();
      }
    };
    const a = await sequence(7);
    expect(await sequence(7)).toEqual(a);
    expect(a).toContain(429);
    expect(a).toContain(200);
  });

  it("throttle answers 429 above `limit` requests per window", async () => {
    emu.faults.add({ route: "runlater.*", kind: "throttle", limit: 3, windowMs: 60_000, retryAfter: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api("GET", "/endpoints")).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await api("GET", "/endpoints")).headers.get("retry-after")).toBe("1");
  });
});

describe("control API for faults", () => {
  it("POST adds (with id), GET lists, DELETE /:id removes one, DELETE clears; bad rules are 400", async () => {
    const add = await control("POST", "/faults", { route: "runlater.tasks.get", status: 503, times: 2 });
    expect(add.status).toBe(201);
    const rule = ((await add.json()) as { data: { id: number; remaining: number } }).data;
    expect(rule).toMatchObject({ route: "runlater.tasks.get", status: 503, remaining: 2 });
    await control("POST", "/faults", { path: "^/api/v1/endpoints", method: "GET", status: 500 });
    const listed = ((await (await control("GET", "/faults")).json()) as { data: unknown[] }).data;
    expect(listed).toHaveLength(2);
    expect((await api("GET", "/endpoints")).status).toBe(500);
    expect((await control("DELETE", `/faults/${rule.id}`)).status).toBe(204);
    expect((await control("DELETE", `/faults/${rule.id}`)).status).toBe(404);
    expect(emu.faults.list()).toHaveLength(1);
    expect((await control("DELETE", "/faults")).status).toBe(204);
    expect((await api("GET", "/endpoints")).status).toBe(200);
    const bad = await control("POST", "/faults", { kind: "explode" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "kind must be one of status, hang, drop, delay, throttle" });
    expect((await control("POST", "/faults", "{not json" as unknown as object)).status).toBe(400);
  });
});
