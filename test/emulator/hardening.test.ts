/**
 * Hostile input to the emulator's HTTP server: nothing a client sends crashes the process,
 * freezes the event loop or grows memory without bound (issue 11 §4). Each case is followed by
 * a plain request that must still be answered.
 */
import * as net from "node:net";
import fc from "fast-check";
import { type Emulator, MAX_ADVANCE_MS, startEmulator } from "../../lib/emulator";
import { MAX_GENERIC_BODY_BYTES, MAX_GENERIC_CAPTURES } from "../../lib/emulator/limits";
import { controlClient, controlFetch } from "../support/emulator-control";
import { fcParams } from "../support/fc";
import { apiClient } from "./helpers";

const KEY = "pk_test_harden.sk_test_harden";
let emu: Emulator;
const lines: string[] = [];
const api = apiClient(() => emu.runlaterApiUrl, KEY);
const control = controlClient(() => emu);

/** Sends raw bytes, resolves with what the server answered before closing (or after `ms`). */
function raw(text: string, ms = 2000): Promise<string> {
  const { port } = new URL(emu.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), "127.0.0.1");
    let got = "";
    const t = setTimeout(() => s.destroy(), ms);
    s.on("data", (d) => {
      got += d.toString("latin1");
    });
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(t);
      resolve(got);
    });
    s.write(text);
  });
}

const alive = async () => expect((await api("GET", "/tasks")).status).toBe(200);

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY], rateLimit: false, log: (l) => lines.push(l) });
});
afterAll(() => emu.close());
beforeEach(() => emu.faults.clear());

describe("request parsing", () => {
  it("an unparsable request target (`GET http://[ HTTP/1.1`) is a 400, not a crash", async () => {
    const answer = await raw("GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    for (const target of ["http://[::1", "//[", "http://a:b:c/", "http://%zz/"]) {
      expect(await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|404|401) /);
    }
    await alive();
  });

  it("a client that disconnects mid-body does not crash the server", async () => {
    await raw(`POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"url":`, 50);
    await alive();
  });

  it("JSON nested 5,000 deep in headers / forward_headers / DNS bodies is a 400, not a 500", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const r1 = await api("POST", "/tasks", `{"url":"https://a.example/x","cron":"* * * * *","headers":{"a":${deep}}}`);
    expect(r1.status).toBe(400);
    expect(r1.body.error.message).toMatch(/nested deeper than 64/);
    const r2 = await api("POST", "/endpoints", `{"name":"x","forward_urls":["https://a.example"],"forward_headers":{"a":${deep}}}`);
    expect(r2.status).toBe(400);
    const r3 = await fetch(`${emu.cloudflareApiUrl}/zones`, { method: "POST", headers: { authorization: "Bearer cf-test-token" }, body: `{"name":${deep}}` });
    expect(r3.status).toBe(400);
    expect((await control("POST", "/faults", `{"body":${deep}}`)).status).toBe(400);
    // Depth 64 itself is fine; strings that look like brackets do not count.
    const ok = await api("POST", "/tasks", { url: "https://a.example/x", cron: "* * * * *", headers: { a: "[".repeat(10_000) } });
    expect(ok.status).toBe(201);
    await alive();
  });

  it("the request log line escapes control characters and shortens slugs", async () => {
    lines.length = 0;
    const slug = `ep_${"A".repeat(32)}`;
    await fetch(`${emu.url}/in/${slug}%0A2026-01-01T00:00:00.000Z%20POST%20/api/v1/tasks%20runlater.tasks.create%20201`);
    await fetch(`${emu.url}/x%0D%0Aforged%00%1b[31m`);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(lines[0]).toContain("/in/ep_AAAA… ");
    expect(lines[0]).not.toContain("AAAAA");
    expect(lines[1]).toContain("/x%0D%0Aforged%00%1B[31m");
  });
});

describe("fault rules", () => {
  it("a CRLF header value or a bad header name is refused (400 over HTTP, throws in-process); later calls work", async () => {
    for (const headers of [{ "x-a": "1\r\nset-cookie: evil=1" }, { "bad name": "1" }, { "x-\u00e9": "1" }, { "x-a": 5 }]) {
      const r = await control("POST", "/faults", { route: "runlater.tasks.list", headers });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^headers/);
      expect(() => emu.faults.add({ route: "runlater.tasks.list", headers: headers as unknown as Record<string, string> })).toThrow(/^headers/);
    }
    expect(emu.faults.list()).toEqual([]);
    await alive();
  });

  it("other hostile rule fields are field-named 400s", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => emu.faults.add({ body: cyclic })).toThrow(/^body must be JSON-serialisable/);
    expect(() => emu.faults.add({ body: 10n as unknown })).toThrow(/^body/);
    const cases: Array<[unknown, RegExp]> = [
      [{ delayMs: 1e12 }, /^delayMs/],
      [{ hangMs: -1 }, /^hangMs/],
      [{ retryAfter: 1.5 }, /^retryAfter/],
      [{ method: "GET\r\n" }, /^method/],
      [{ method: 5 }, /^method/],
      [{ route: "*a*a*a*a*a" }, /^route/],
      [{ path: "(a)\\1" }, /^path: backreferences/],
      [{ path: "a(?=b)" }, /^path: lookarounds/],
      [{ path: 5 }, /^path/],
      [[], /must be a JSON object/],
    ];
    for (const [rule, msg] of cases) {
      const r = await control("POST", "/faults", rule);
      expect([r.status, r.body.error]).toEqual([400, expect.stringMatching(msg)]);
    }
    await alive();
  });

  it("a catastrophic-backtracking path pattern (`^/(a+)+$`) cannot freeze the event loop", async () => {
    expect((await control("POST", "/faults", { path: "^/(a+)+$", status: 418 })).status).toBe(201);
    expect((await control("POST", "/faults", { path: "^(/|a|aa)+$", status: 418 })).status).toBe(201);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) expect((await fetch(`${emu.url}/${"a".repeat(8000)}!`)).status).toBe(404);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect((await fetch(`${emu.url}/aaaa`)).status).toBe(418);
    expect(emu.faults.list().map((f) => f.path)).toEqual(["^/(a+)+$", "^(/|a|aa)+$"]);
  });

  it("a handler answering a header Node refuses gets a 500, and the server keeps serving", async () => {
    const generic = emu.dns("generic");
    generic.respondOnce(200, { ok: true }, { "x-bad": "a\r\nb" });
    expect((await fetch(`${emu.genericUrl}/h`, { method: "POST", body: "{}" })).status).toBe(500);
    await alive();
  });
});

describe("clock advance", () => {
  it("{\"ms\":1e300} and other out-of-range values are field-named 400s", async () => {
    const before = (await control("GET", "/clock")).body.now;
    for (const body of [{ ms: 1e300 }, { ms: MAX_ADVANCE_MS + 1 }, { ms: "60000" }, { ms: -1 }, { ms: null }]) {
      const r = await control("POST", "/clock/advance", body);
      expect([r.status, r.body.error]).toEqual([400, expect.stringMatching(/^ms must be a number 0\.\.31622400000/)]);
    }
    for (const body of [{ to: "9999-01-01T00:00:00Z" }, { to: 8.64e15 }, { to: {} }, { to: "soon" }, { to: [1] }]) {
      const r = await control("POST", "/clock/advance", body);
      expect([r.status, r.body.error]).toEqual([400, expect.stringMatching(/^to must be/)]);
    }
    await expect(emu.advance(1e300)).rejects.toThrow(/ms must be a number/);
    expect((await control("GET", "/clock")).body.now).toBe(before);
    expect((await control("POST", "/clock/advance", { ms: 1000 })).status).toBe(200);
  });
});

describe("memory and state are bounded", () => {
  it("40 × 1 MB unauthenticated POST /_generic/* are refused (413) and keep nothing", async () => {
    const generic = emu.dns("generic");
    generic.clear();
    const mb = "x".repeat(1_000_000);
    const rss0 = process.memoryUsage().rss;
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${emu.genericUrl}/big/${i}`, { method: "POST", body: mb }).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([413]));
    expect(generic.recordCount()).toBe(0);
    const grewMb = (process.memoryUsage().rss - rss0) / 1e6;
    expect(grewMb).toBeLessThan(150); // the issue measured ~300 MB kept; what remains is fetch's own buffers
    const fits = await fetch(`${emu.genericUrl}/ok`, { method: "POST", body: "y".repeat(MAX_GENERIC_BODY_BYTES) });
    expect(fits.status).toBe(200);
  });

  it("generic captures keep the newest 1,000", async () => {
    const generic = emu.dns("generic");
    generic.clear();
    for (let i = 0; i < 1200; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => fetch(`${emu.genericUrl}/r/${i + k}`, { method: "PUT", body: "{}" })));
    }
    expect(generic.recordCount()).toBeLessThanOrEqual(MAX_GENERIC_CAPTURES);
    expect(generic.recordCount()).toBeGreaterThanOrEqual(MAX_GENERIC_CAPTURES * 0.9);
    expect(generic.lastRequest()?.path).toMatch(/^\/_generic\/r\/\d+$/);
    expect(generic.requests("/_generic/r/0")).toEqual([]); // the oldest went first
    expect(generic.requests("/_generic/r/1199")).toHaveLength(1);
  });

  it("a control API body over 1 MiB is a 413", async () => {
    expect((await controlFetch(emu, "POST", "/faults", JSON.stringify({ body: "z".repeat(1_100_000) }))).status).toBe(413);
  });
});

describe("property: hostile JSON to every writable route never yields a 5xx or a crash", () => {
  const routes: Array<[string, string, "api" | "control" | "dns"]> = [
    ["POST", "/tasks", "api"],
    ["POST", "/endpoints", "api"],
    ["POST", "/faults", "control"],
    ["POST", "/clock/advance", "control"],
    ["POST", "/targets/p", "control"],
    ["POST", "/zones", "dns"],
  ];
  const hostileString = fc.oneof(fc.string(), fc.constantFrom("\r\n", "\u0000", "a\r\nb: c", "\uD800", "%0A", "__proto__", "constructor", "(a+)+$", "9".repeat(400)));
  const leaf = fc.oneof(hostileString, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(1e300, -0, Number.MAX_SAFE_INTEGER));
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ maxDepth: 3 }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(hostileString, tie("v"), { maxKeys: 3 })),
  })).v;
  const fields = ["url", "cron", "headers", "forward_headers", "forward_urls", "name", "ms", "to", "path", "status", "headers", "body", "mode", "kind", "times", "probability", "delayMs", "retry_attempts", "timeout_ms", "method"];
  const body = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 });

  it("answers < 500 for random bodies (fixed seed)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, p, kind], b) => {
        emu.faults.clear();
        const text = JSON.stringify(b);
        const r =
          kind === "api"
            ? await api(method, p, text)
            : kind === "control"
              ? await control(method, p, text)
              : await fetch(`${emu.cloudflareApiUrl}${p}`, { method, headers: { authorization: "Bearer cf-test-token" }, body: text });
        expect(r.status).toBeLessThan(500);
      }),
      fcParams({ numRuns: 300 }),
    );
    emu.faults.clear();
    await alive();
  });
});
