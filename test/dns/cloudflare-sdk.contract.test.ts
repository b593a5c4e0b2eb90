/**
 * Contract suite THROUGH the official Cloudflare TypeScript SDK (`cloudflare` on npm, generated
 * by Cloudflare from its OpenAPI schema): an oracle nobody here wrote. The SDK is pointed at the
 * emulator on 127.0.0.1 (a guard fetch refuses any other host) with retries off, so nothing waits
 * and nothing leaves the machine.
 */
import Cloudflare, { BadRequestError, NotFoundError, PermissionDeniedError } from "cloudflare";
import { buildDnsUpdateRequest } from "../../lib/dns";
import { CloudflareEmulator } from "../../lib/emulator/dns-cloudflare";
import { sendForward, serve, type TestServer } from "./harness";

const TOKEN = "cf-test-token";
let emu: CloudflareEmulator;
let server: TestServer;
let zoneId: string;
let hosts: string[];

/** fetch that only talks to 127.0.0.1 and records every host it was asked for. */
const guardFetch: typeof fetch = (input, init) => {
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  hosts.push(url.hostname);
  if (url.hostname !== "127.0.0.1") return Promise.reject(new Error(`network access to ${url.hostname} refused by the test`));
  return fetch(input, init);
};

function client(token = TOKEN): Cloudflare {
  return new Cloudflare({ apiToken: token, baseURL: `${server.url}/client/v4`, maxRetries: 0, timeout: 10_000, fetch: guardFetch });
}

/** Collects an auto-paginating list, failing instead of hanging if it never ends. */
async function collect<T>(iter: AsyncIterable<T>, limit = 200): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) {
    out.push(item);
    if (out.length > limit) throw new Error(`pagination did not end after ${limit} items`);
  }
  return out;
}

/** The SDK error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error & { status?: number; errors?: { code: number; message: string }[]; error?: any }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

beforeEach(async () => {
  hosts = [];
  emu = new CloudflareEmulator({ now: () => new Date("2026-03-01T12:00:00.000Z") });
  server = await serve(emu);
  zoneId = emu.addZone({ name: "example.com" });
});
afterEach(async () => {
  await server.close();
  expect(hosts.every((h) => h === "127.0.0.1")).toBe(true);
});

describe("records through the SDK", () => {
  it("create, get, edit (PATCH), update (PUT), delete", async () => {
    const cf = client();
    const created = await cf.dns.records.create({ zone_id: zoneId, type: "A", name: "www.example.com", content: "198.51.100.10", ttl: 60, comment: "managed" });
    expect(created).toMatchObject({ type: "A", name: "www.example.com", content: "198.51.100.10", ttl: 60, proxied: false, proxiable: true, comment: "managed" });
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);

    const got = await cf.dns.records.get(created.id, { zone_id: zoneId });
    expect(got).toMatchObject({ id: created.id, content: "198.51.100.10" });

    // PATCH with only the content, as the stored failover request does (SDK types want more; the API does not).
    const edited = await cf.dns.records.edit(created.id, { zone_id: zoneId, content: "203.0.113.50" } as Parameters<typeof cf.dns.records.edit>[1]);
    expect(edited).toMatchObject({ content: "203.0.113.50", ttl: 60, comment: "managed" });

    // PUT replaces: ttl back to auto, comment cleared (ttl left out on purpose; the SDK types require it).
    const put = { zone_id: zoneId, type: "A", name: "www.example.com", content: "203.0.113.51" } as Parameters<typeof cf.dns.records.update>[1];
    const updated = await cf.dns.records.update(created.id, put);
    expect(updated).toMatchObject({ content: "203.0.113.51", ttl: 1, comment: null, proxied: false });

    const deleted = await cf.dns.records.delete(created.id, { zone_id: zoneId });
    expect(deleted).toEqual({ id: created.id });
    expect(emu.recordCount()).toBe(0);
  });

  it("reads back what the adapter's stored request wrote", async () => {
    const id = emu.addRecord(zoneId, { name: "www", content: "198.51.100.10", ttl: 60 });
    const req = buildDnsUpdateRequest({ provider: "cloudflare", zoneId, recordId: id, apiToken: TOKEN, apiBaseUrl: `${server.url}/client/v4` }, "203.0.113.50");
    expect((await sendForward(req)).status).toBe(200);
    expect(await client().dns.records.get(id, { zone_id: zoneId })).toMatchObject({ content: "203.0.113.50", ttl: 60 });
  });

  it("list filters: name.exact / contains / startswith / endswith, type, match=any", async () => {
    emu.addRecord(zoneId, { name: "@", type: "A", content: "198.51.100.1" });
    emu.addRecord(zoneId, { name: "www", type: "A", content: "198.51.100.2" });
    emu.addRecord(zoneId, { name: "www", type: "AAAA", content: "2001:db8::2" });
    emu.addRecord(zoneId, { name: "api", type: "A", content: "198.51.100.3" });
    emu.addRecord(zoneId, { name: "api-www", type: "CNAME", content: "www.example.com" });
    const cf = client();
    const names = async (params: Record<string, unknown>) =>
      (await collect(cf.dns.records.list({ zone_id: zoneId, ...params }))).map((r) => `${r.name}/${r.type}`).sort();

    expect(await names({ name: { exact: "WWW.example.com" } })).toEqual(["www.example.com/A", "www.example.com/AAAA"]);
    expect(await names({ name: { exact: "www.example.com" }, type: "AAAA" })).toEqual(["www.example.com/AAAA"]);
    expect(await names({ name: { contains: "www" } })).toEqual(["api-www.example.com/CNAME", "www.example.com/A", "www.example.com/AAAA"]);
    expect(await names({ name: { startswith: "api" } })).toEqual(["api-www.example.com/CNAME", "api.example.com/A"]);
    expect(await names({ name: { endswith: "-www.example.com" } })).toEqual(["api-www.example.com/CNAME"]);
    expect(await names({ type: "A" })).toEqual(["api.example.com/A", "example.com/A", "www.example.com/A"]);
    expect(await names({ type: "CNAME", name: { exact: "example.com" }, match: "any" })).toEqual(["api-www.example.com/CNAME", "example.com/A"]);
  });

  it("paginates records: every page once, then stops", async () => {
    for (let i = 0; i < 12; i++) emu.addRecord(zoneId, { name: `h${String(i).padStart(2, "0")}`, content: `198.51.100.${i + 1}` });
    const cf = client();
    const first = await cf.dns.records.list({ zone_id: zoneId, per_page: 5 });
    expect(first.result).toHaveLength(5);
    expect(first.result_info).toMatchObject({ page: 1, per_page: 5, count: 5, total_count: 12, total_pages: 3 });
    const all = await collect(cf.dns.records.list({ zone_id: zoneId, per_page: 5 }));
    expect(all.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `h${String(i).padStart(2, "0")}.example.com`));
  });
});

describe("zones through the SDK", () => {
  it("zones.list() pages and ends (page is honoured)", async () => {
    for (let i = 0; i < 6; i++) emu.addZone({ name: `zone${i}.example` });
    const cf = client();
    const all = await collect(cf.zones.list({ per_page: 5 }));
    expect(all.map((z) => z.name).sort()).toEqual(["example.com", ...Array.from({ length: 6 }, (_, i) => `zone${i}.example`)].sort());
    expect(new Set(all.map((z) => z.id)).size).toBe(7);
    const byName = await collect(cf.zones.list({ name: "example.com" }));
    expect(byName.map((z) => z.id)).toEqual([zoneId]);
    expect((await collect(cf.zones.list({ name: "contains:zone" }))).length).toBe(6);
  });

  it("zones.get", async () => {
    expect(await client().zones.get({ zone_id: zoneId })).toMatchObject({ id: zoneId, name: "example.com", status: "active" });
  });
});

describe("error classes through the SDK", () => {
  it("bad token: PermissionDeniedError (403, 10000)", async () => {
    const e = await rejection(client("wrong-token").dns.records.list({ zone_id: zoneId }));
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.errors?.[0]?.code).toBe(10000);
  });

  it("bad IP: BadRequestError (400, 9005 / 9006)", async () => {
    const cf = client();
    const e = await rejection(cf.dns.records.create({ zone_id: zoneId, type: "A", name: "x.example.com", content: "2001:db8::1", ttl: 1 }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.errors?.[0]?.code).toBe(9005);
    const e6 = await rejection(cf.dns.records.create({ zone_id: zoneId, type: "AAAA", name: "x.example.com", content: "203.0.113.1", ttl: 1 }));
    expect(e6.errors?.[0]?.code).toBe(9006);
  });

  it("bad TTL: BadRequestError (400, 1004 with chain 9021)", async () => {
    const e = await rejection(client().dns.records.create({ zone_id: zoneId, type: "A", name: "x.example.com", content: "203.0.113.1", ttl: 30 }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.errors?.[0]?.code).toBe(1004);
    expect(e.error?.errors?.[0]?.error_chain?.[0]?.code).toBe(9021);
  });

  it("unknown record: NotFoundError (404, 81044)", async () => {
    const e = await rejection(client().dns.records.get("0".repeat(32), { zone_id: zoneId }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.errors?.[0]?.code).toBe(81044);
  });

  it("unknown zone: BadRequestError (400, 7003)", async () => {
    const e = await rejection(client().dns.records.list({ zone_id: "f".repeat(32) }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.errors?.[0]?.code).toBe(7003);
  });

  it("duplicate: BadRequestError (400, 81057)", async () => {
    const cf = client();
    const body = { zone_id: zoneId, type: "A" as const, name: "www.example.com", content: "203.0.113.1", ttl: 1 as const };
    await cf.dns.records.create(body);
    const e = await rejection(cf.dns.records.create(body));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.errors?.[0]?.code).toBe(81057);
  });

  it("a 200 with success:false (forced soft error) resolves to null in the SDK instead of throwing", async () => {
    const id = emu.addRecord(zoneId, { name: "www", content: "198.51.100.10" });
    emu.failNext("soft_error", 1, "cloudflare.dns_records.get");
    expect(await client().dns.records.get(id, { zone_id: zoneId })).toBeNull();
  });

  it("proxied private address: 9003 on create, 1004 + 9041 on update; DNS-only is fine", async () => {
    const cf = client();
    const e = await rejection(cf.dns.records.create({ zone_id: zoneId, type: "A", name: "lan.example.com", content: "10.0.0.5", ttl: 1, proxied: true }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.errors?.[0]).toMatchObject({ code: 9003, message: "Target 10.0.0.5 is not allowed for a proxied record." });

    const dnsOnly = await cf.dns.records.create({ zone_id: zoneId, type: "A", name: "lan.example.com", content: "10.0.0.5", ttl: 1, proxied: false });
    expect(dnsOnly).toMatchObject({ proxied: false, proxiable: false });

    const pub = await cf.dns.records.create({ zone_id: zoneId, type: "A", name: "www.example.com", content: "203.0.113.9", ttl: 1, proxied: true });
    expect(pub).toMatchObject({ proxied: true, proxiable: true });
    // A failover that PATCHes only the content of a proxied record to a private backup fails live.
    const e2 = await rejection(cf.dns.records.edit(pub.id, { zone_id: zoneId, content: "192.168.1.20" } as Parameters<typeof cf.dns.records.edit>[1]));
    expect(e2).toBeInstanceOf(BadRequestError);
    expect(e2.errors?.[0]?.code).toBe(1004);
    expect(e2.error?.errors?.[0]?.error_chain?.[0]?.code).toBe(9041);
    expect(emu.getRecord(zoneId, pub.id)!.content).toBe("203.0.113.9");
  });
});
