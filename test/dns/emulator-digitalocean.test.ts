/** DigitalOcean emulator over real HTTP: the adapter's PUT changes the record; error envelopes. */
import { buildDnsUpdateRequest, type DigitalOceanDnsTarget } from "../../lib/dns";
import { DigitalOceanEmulator } from "../../lib/emulator/dns-digitalocean";
import { call, sendForward, serve, type TestServer } from "./harness";

const TOKEN = "do-test-token";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let clock = new Date("2026-03-01T12:00:00.000Z");
let emu: DigitalOceanEmulator;
let server: TestServer;
let api: string;
let recordId: number;

const target = (over: Partial<DigitalOceanDnsTarget> = {}): DigitalOceanDnsTarget => ({
  provider: "digitalocean",
  domain: "example.com",
  recordId,
  name: "www",
  apiToken: TOKEN,
  apiBaseUrl: api,
  ...over,
});

beforeEach(async () => {
  clock = new Date("2026-03-01T12:00:00.000Z");
  emu = new DigitalOceanEmulator({ now: () => clock });
  server = await serve(emu);
  api = `${server.url}/v2`;
  emu.addDomain("example.com");
  recordId = emu.addRecord("example.com", { type: "A", name: "www", data: PRIMARY, ttl: 60 });
});
afterEach(() => server.close());

it("the adapter's PUT changes the record (integer id, domain_record wrapper)", async () => {
  expect(Number.isInteger(recordId)).toBe(true);
  clock = new Date("2026-03-01T12:07:00.000Z");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(200);
  expect(server.hits).toEqual(["digitalocean.records.update"]);
  expect(res.json).toEqual({
    domain_record: { id: recordId, type: "A", name: "www", data: BACKUP, priority: null, port: null, ttl: 60, weight: null, flags: null, tag: null },
  });
  expect(emu.getRecord("example.com", recordId)!.data).toBe(BACKUP);
  expect(emu.lastModified(recordId)).toBe("2026-03-01T12:07:00.000Z");
  // With ttl, the TTL changes too; a string id works the same.
  await sendForward(buildDnsUpdateRequest(target({ ttl: 30, recordId: String(recordId) }), PRIMARY));
  expect(emu.getRecord("example.com", recordId)).toMatchObject({ data: PRIMARY, ttl: 30 });
});

it("apex records (@) and AAAA", async () => {
  const apex = emu.addRecord("example.com", { type: "AAAA", name: "example.com", data: "2001:db8::10" });
  expect(emu.getRecord("example.com", apex)!.name).toBe("@");
  const res = await sendForward(buildDnsUpdateRequest(target({ recordId: apex, name: "@", type: "AAAA" }), "2001:db8::50"));
  expect(res.status).toBe(200);
  expect(emu.getRecord("example.com", apex)!.data).toBe("2001:db8::50");
});

it("bad token → 401 unauthorized envelope", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target({ apiToken: "nope" }), BACKUP));
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ id: "unauthorized", message: "Unable to authenticate you", request_id: expect.any(String) });
  expect(emu.getRecord("example.com", recordId)!.data).toBe(PRIMARY);
});

it("unknown record or domain → 404 not_found", async () => {
  const a = await sendForward(buildDnsUpdateRequest(target({ recordId: 1 }), BACKUP));
  expect(a.status).toBe(404);
  expect(a.json.id).toBe("not_found");
  const b = await sendForward(buildDnsUpdateRequest(target({ domain: "other.com" }), BACKUP));
  expect(b.status).toBe(404);
});

it("TTL < 30 and a bad IP → 422 unprocessable_entity", async () => {
  const ttl = await sendForward(buildDnsUpdateRequest(target({ ttl: 10 }), BACKUP));
  expect(ttl.status).toBe(422);
  expect(ttl.json).toMatchObject({ id: "unprocessable_entity", message: "TTL must be at least 30 seconds." });
  const ip = await sendForward(buildDnsUpdateRequest(target(), "300.1.1.1"));
  expect(ip.status).toBe(422);
  expect(ip.json.message).toMatch(/valid IPv4/);
  expect(emu.getRecord("example.com", recordId)).toMatchObject({ data: PRIMARY, ttl: 60 });
});

it("PUT requires type; PATCH does not; the type cannot change", async () => {
  const url = `${api}/domains/example.com/records/${recordId}`;
  const put = await call("PUT", url, { token: TOKEN, body: { data: BACKUP } });
  expect(put.status).toBe(422);
  expect(put.json.message).toBe("Type is required.");
  expect((await call("PATCH", url, { token: TOKEN, body: { data: BACKUP } })).json.domain_record.data).toBe(BACKUP);
  expect((await call("PUT", url, { token: TOKEN, body: { type: "AAAA", data: "2001:db8::1" } })).json.message).toMatch(/cannot be changed/);
  expect((await call("PUT", url, { token: TOKEN, rawBody: "{" })).json.id).toBe("bad_request");
});

it("create (201), list with type/name filters, delete (204)", async () => {
  const created = await call("POST", `${api}/domains/example.com/records`, { token: TOKEN, body: { type: "A", name: "api", data: "192.0.2.5", ttl: 120 } });
  expect(created.status).toBe(201);
  const id = created.json.domain_record.id;
  const list = await call("GET", `${api}/domains/example.com/records?type=A&name=api.example.com`, { token: TOKEN });
  expect(list.json.domain_records.map((r: { id: number }) => r.id)).toEqual([id]);
  expect(list.json.meta).toEqual({ total: 1 });
  const del = await call("DELETE", `${api}/domains/example.com/records/${id}`, { token: TOKEN });
  expect(del.status).toBe(204);
  expect(del.text).toBe("");
  expect(emu.recordCount()).toBe(1);
  expect((await call("GET", `${api}/domains`, { token: TOKEN })).json.domains[0]).toMatchObject({ name: "example.com", ttl: 1800 });
});

it("forced 429 carries ratelimit headers; snapshot/restore", async () => {
  emu.failNext("rate_limit");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(429);
  expect(res.json.id).toBe("too_many_requests");
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expect(res.headers.get("retry-after")).toBe("60");
  const snap = emu.snapshot();
  await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  emu.restore(snap);
  expect(emu.getRecord("example.com", recordId)!.data).toBe(PRIMARY);
});
