/**
 * Cloudflare emulator over real HTTP: the adapter's stored request changes the record; the main
 * error paths answer Cloudflare's codes in the `{success, errors, messages, result}` envelope.
 */
import { buildDnsUpdateRequest, type CloudflareDnsTarget } from "../../lib/dns";
import { CloudflareEmulator } from "../../lib/emulator/dns-cloudflare";
import { call, sendForward, serve, type TestServer } from "./harness";

const TOKEN = "cf-test-token";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let clock = new Date("2026-03-01T12:00:00.000Z");
let emu: CloudflareEmulator;
let server: TestServer;
let api: string;
let zoneId: string;
let recordId: string;

const target = (over: Partial<CloudflareDnsTarget> = {}): CloudflareDnsTarget => ({
  provider: "cloudflare",
  zoneId,
  recordId,
  apiToken: TOKEN,
  apiBaseUrl: api,
  ...over,
});

beforeEach(async () => {
  clock = new Date("2026-03-01T12:00:00.000Z");
  emu = new CloudflareEmulator({ now: () => clock });
  server = await serve(emu);
  api = `${server.url}/client/v4`;
  zoneId = emu.addZone({ name: "example.com" });
  recordId = emu.addRecord(zoneId, { name: "www", type: "A", content: PRIMARY, ttl: 60, comment: "failover-managed", tags: ["team:web"] });
});
afterEach(() => server.close());

describe("seeding", () => {
  it("uses 32-hex ids and FQDN names", () => {
    expect(zoneId).toMatch(/^[0-9a-f]{32}$/);
    expect(recordId).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.getRecord(zoneId, recordId)).toMatchObject({
      name: "www.example.com",
      zone_name: "example.com",
      content: PRIMARY,
      ttl: 60,
      proxied: false,
      proxiable: true,
      created_on: "2026-03-01T12:00:00.000Z",
    });
    expect(emu.recordCount()).toBe(1);
  });
});

describe("the adapter's stored request", () => {
  it("PATCH changes only the content", async () => {
    clock = new Date("2026-03-01T12:05:00.000Z");
    const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: true, errors: [], messages: [], result: { id: recordId, content: BACKUP } });
    expect(server.hits).toEqual(["cloudflare.dns_records.patch"]);
    const rec = emu.getRecord(zoneId, recordId)!;
    expect(rec).toMatchObject({ content: BACKUP, ttl: 60, comment: "failover-managed", tags: ["team:web"], modified_on: "2026-03-01T12:05:00.000Z" });
    expect(rec.created_on).toBe("2026-03-01T12:00:00.000Z");
    // Replaying it is idempotent; the recovery request puts the primary back.
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(200);
    expect((await sendForward(buildDnsUpdateRequest(target(), PRIMARY))).status).toBe(200);
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(PRIMARY);
  });

  it("PUT replaces the record: unsent fields go back to defaults", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ method: "PUT", name: "www.example.com" }), BACKUP));
    expect(res.status).toBe(200);
    expect(server.hits).toEqual(["cloudflare.dns_records.put"]);
    expect(emu.getRecord(zoneId, recordId)).toMatchObject({ content: BACKUP, ttl: 1, proxied: false, comment: null, tags: [] });
  });

  it("proxied forces ttl 1", async () => {
    await sendForward(buildDnsUpdateRequest(target({ proxied: true, ttl: 120 }), BACKUP));
    expect(emu.getRecord(zoneId, recordId)).toMatchObject({ content: BACKUP, proxied: true, ttl: 1 });
  });

  it("AAAA records take IPv6", async () => {
    const id6 = emu.addRecord(zoneId, { name: "www", type: "AAAA", content: "2001:db8::10" });
    const res = await sendForward(buildDnsUpdateRequest(target({ recordId: id6, type: "AAAA" }), "2001:db8::50"));
    expect(res.status).toBe(200);
    expect(emu.getRecord(zoneId, id6)!.content).toBe("2001:db8::50");
  });
});

describe("errors", () => {
  it("bad token → 403 10000, record unchanged", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ apiToken: "wrong" }), BACKUP));
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null });
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(PRIMARY);
  });

  it("missing or malformed Authorization → 400 9106 / 6003", async () => {
    const missing = await call("GET", `${api}/zones`);
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0].code).toBe(9106);
    const malformed = await call("GET", `${api}/zones`, { headers: { authorization: "Token abc" } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0]).toMatchObject({ code: 6003, error_chain: [{ code: 6111 }] });
  });

  it("unknown record → 404 81044", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ recordId: "0".repeat(32) }), BACKUP));
    expect(res.status).toBe(404);
    expect(res.json.errors).toEqual([{ code: 81044, message: "Record does not exist." }]);
  });

  it("unknown zone → 7003", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ zoneId: "f".repeat(32) }), BACKUP));
    expect(res.status).toBe(400);
    expect(res.json.success).toBe(false);
    expect(res.json.errors[0].code).toBe(7003);
    expect(res.json.errors[0].message).toMatch(/perhaps your object identifier is invalid/);
  });

  it("bad TTL → 400 1004 with chain 9021", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ ttl: 30 }), BACKUP));
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { code: 1004, message: "DNS Validation Error", error_chain: [{ code: 9021, message: "TTL must be between 60 and 86400 seconds, or 1 for Automatic." }] },
    ]);
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(PRIMARY);
  });

  it("bad IP → 9005 (A) / 9006 (AAAA)", async () => {
    const a = await sendForward(buildDnsUpdateRequest(target(), "2001:db8::1"));
    expect(a.status).toBe(400);
    expect(a.json.errors).toEqual([{ code: 9005, message: "Content for A record must be a valid IPv4 address." }]);
    const id6 = emu.addRecord(zoneId, { name: "v6", type: "AAAA", content: "2001:db8::10" });
    const b = await sendForward(buildDnsUpdateRequest(target({ recordId: id6, type: "AAAA" }), "203.0.113.1"));
    expect(b.json.errors[0].code).toBe(9006);
  });

  it("body that is not JSON → 9207", async () => {
    const res = await call("PATCH", `${api}/zones/${zoneId}/dns_records/${recordId}`, { token: TOKEN, rawBody: "{nope" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].code).toBe(9207);
  });

  it("unknown route → 7000", async () => {
    const res = await call("GET", `${api}/accounts`, { token: TOKEN });
    expect(res.json.errors[0].code).toBe(7000);
  });
});

describe("other endpoints", () => {
  it("zones list/get by name", async () => {
    const list = await call("GET", `${api}/zones?name=example.com`, { token: TOKEN });
    expect(list.json.result).toHaveLength(1);
    expect(list.json.result[0].id).toBe(zoneId);
    expect(list.json.result_info).toMatchObject({ page: 1, count: 1, total_count: 1 });
    expect((await call("GET", `${api}/zones/${zoneId}`, { token: TOKEN })).json.result.name).toBe("example.com");
  });

  it("dns_records list filters by exact name and type, with result_info", async () => {
    emu.addRecord(zoneId, { name: "api", type: "A", content: "192.0.2.1" });
    emu.addRecord(zoneId, { name: "www", type: "TXT", content: "hello" });
    const res = await call("GET", `${api}/zones/${zoneId}/dns_records?type=A&name=www.example.com`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json.result.map((r: { id: string }) => r.id)).toEqual([recordId]);
    expect(res.json.result_info).toEqual({ page: 1, per_page: 100, count: 1, total_count: 1, total_pages: 1 });
    const paged = await call("GET", `${api}/zones/${zoneId}/dns_records?per_page=5&page=1`, { token: TOKEN });
    expect(paged.json.result_info).toMatchObject({ count: 3, total_count: 3 });
  });

  it("create (duplicate → 81057, A vs CNAME → 81053), get, delete", async () => {
    const created = await call("POST", `${api}/zones/${zoneId}/dns_records`, {
      token: TOKEN,
      body: { type: "A", name: "api", content: "192.0.2.7", ttl: 120 },
    });
    expect(created.status).toBe(200);
    const id = created.json.result.id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.json.result).toMatchObject({ name: "api.example.com", ttl: 120, proxied: false, comment: null, tags: [] });
    const dup = await call("POST", `${api}/zones/${zoneId}/dns_records`, { token: TOKEN, body: { type: "A", name: "api.example.com", content: "192.0.2.7" } });
    expect(dup.json.errors).toEqual([{ code: 81057, message: "Record already exists." }]);
    const cname = await call("POST", `${api}/zones/${zoneId}/dns_records`, { token: TOKEN, body: { type: "CNAME", name: "api", content: "x.example.net" } });
    expect(cname.json.errors[0].code).toBe(81053);
    expect((await call("GET", `${api}/zones/${zoneId}/dns_records/${id}`, { token: TOKEN })).json.result.content).toBe("192.0.2.7");
    const del = await call("DELETE", `${api}/zones/${zoneId}/dns_records/${id}`, { token: TOKEN });
    expect(del.json.result).toEqual({ id });
    expect((await call("GET", `${api}/zones/${zoneId}/dns_records/${id}`, { token: TOKEN })).status).toBe(404);
  });

  it("PUT without type/name/content is a validation error", async () => {
    const res = await call("PUT", `${api}/zones/${zoneId}/dns_records/${recordId}`, { token: TOKEN, body: { content: BACKUP } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { message: string }) => e.message)).toEqual([
      "DNS Validation Error: type is required.",
      "DNS Validation Error: name is required.",
    ]);
  });
});

describe("test hooks", () => {
  it("forced 429 carries the rate-limit headers; forced soft error is 200 success:false", async () => {
    emu.failNext("rate_limit", 1, "cloudflare.dns_records.patch");
    const limited = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("300");
    expect(limited.json.success).toBe(false);
    emu.failNext("soft_error");
    const soft = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(soft.status).toBe(200);
    expect(soft.json.success).toBe(false);
    emu.failNext("server_error");
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(500);
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(PRIMARY);
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(200);
  });

  it("snapshot/restore round-trips the store", async () => {
    const snap = JSON.parse(JSON.stringify(emu.snapshot()));
    await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(BACKUP);
    emu.restore(snap);
    expect(emu.getRecord(zoneId, recordId)!.content).toBe(PRIMARY);
    expect(emu.recordCount()).toBe(1);
    // New ids keep going after a restore (no collision with restored ones).
    const id2 = emu.addRecord(zoneId, { name: "b", content: "192.0.2.2" });
    expect(id2).not.toBe(recordId);
    expect(() => emu.restore({ nope: true })).toThrow(/snapshot/);
  });
});
