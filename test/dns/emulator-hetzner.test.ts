/** Hetzner Cloud DNS emulator over real HTTP: set_records via the adapter, actions, error envelopes. */
import { buildDnsUpdateRequest, type HetznerDnsTarget } from "../../lib/dns";
import { HetznerEmulator } from "../../lib/emulator/dns-hetzner";
import { call, sendForward, serve, type TestServer } from "./harness";

const TOKEN = "hz-test-token";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let clock = new Date("2026-03-01T12:00:00.000Z");
let emu: HetznerEmulator;
let server: TestServer;
let api: string;
let zoneId: number;

const target = (over: Partial<HetznerDnsTarget> = {}): HetznerDnsTarget => ({
  provider: "hetzner",
  zone: "example.com",
  name: "www",
  apiToken: TOKEN,
  apiBaseUrl: api,
  ...over,
});

beforeEach(async () => {
  clock = new Date("2026-03-01T12:00:00.000Z");
  emu = new HetznerEmulator({ now: () => clock });
  server = await serve(emu);
  api = `${server.url}/v1`;
  zoneId = emu.addZone("example.com");
  emu.addRRSet(zoneId, { name: "www", type: "A", ttl: 60, records: [PRIMARY] });
});
afterEach(() => server.close());

it("set_records (zone by name) replaces the values → 201 with a successful action", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(201);
  expect(server.hits).toEqual(["hetzner.rrsets.set_records"]);
  expect(res.json.action).toEqual({
    id: expect.any(Number),
    command: "set_rrset_records",
    status: "success",
    progress: 100,
    started: "2026-03-01T12:00:00Z",
    finished: "2026-03-01T12:00:00Z",
    resources: [{ id: zoneId, type: "zone" }],
    error: null,
  });
  expect(emu.getRRSet("example.com", "www", "A")!.records).toEqual([{ value: BACKUP, comment: "" }]);
  expect(emu.getRRSet(zoneId, "www")!.ttl).toBe(60);
  const polled = await call("GET", `${api}/actions/${res.json.action.id}`, { token: TOKEN });
  expect(polled.json.action.status).toBe("success");
});

it("zone by numeric id and the apex as @", async () => {
  emu.addRRSet(zoneId, { name: "@", type: "AAAA", records: ["2001:db8::10", "2001:db8::11"] });
  const res = await sendForward(buildDnsUpdateRequest(target({ zone: zoneId, name: "@", type: "AAAA" }), "2001:db8::50"));
  expect(res.status).toBe(201);
  expect(emu.getRRSet(zoneId, "@", "AAAA")!.records).toEqual([{ value: "2001:db8::50", comment: "" }]);
});

it("an action can end in error: HTTP 201, nothing changes", async () => {
  emu.setActionOutcome("error");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(201);
  expect(res.json.action.status).toBe("error");
  expect(res.json.action.error).toEqual({ code: "action_failed", message: expect.any(String) });
  expect(emu.getRRSet(zoneId, "www")!.records[0]!.value).toBe(PRIMARY);
});

it("a running action applies on completeActions(), visible through GET /v1/actions/:id", async () => {
  emu.setActionOutcome("running");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  const id = res.json.action.id;
  expect(res.json.action).toMatchObject({ status: "running", progress: 0, finished: null });
  expect(emu.getRRSet(zoneId, "www")!.records[0]!.value).toBe(PRIMARY);
  clock = new Date("2026-03-01T12:00:03.000Z");
  expect(emu.completeActions()).toBe(1);
  const polled = await call("GET", `${api}/actions/${id}`, { token: TOKEN });
  expect(polled.json.action).toMatchObject({ status: "success", finished: "2026-03-01T12:00:03Z" });
  expect(emu.getRRSet(zoneId, "www")!.records[0]!.value).toBe(BACKUP);
});

it("bad token → 401 unauthorized", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target({ apiToken: "nope" }), BACKUP));
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ error: { code: "unauthorized", message: "unable to authenticate", details: {} } });
});

it("missing RRSet or zone → 404 not_found (set_records never creates)", async () => {
  const rr = await sendForward(buildDnsUpdateRequest(target({ name: "api" }), BACKUP));
  expect(rr.status).toBe(404);
  expect(rr.json.error.code).toBe("not_found");
  expect(emu.getRRSet(zoneId, "api")).toBeUndefined();
  expect((await sendForward(buildDnsUpdateRequest(target({ zone: "nope.com" }), BACKUP))).status).toBe(404);
});

it("bad IP → 400 invalid_input with details.fields; bad JSON → json_error", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target(), "2001:db8::1"));
  expect(res.status).toBe(400);
  expect(res.json.error).toMatchObject({
    code: "invalid_input",
    details: { fields: [{ name: "records[0].value", messages: ["is not a valid IPv4 address"] }] },
  });
  const url = `${api}/zones/example.com/rrsets/www/A/actions/set_records`;
  expect((await call("POST", url, { token: TOKEN, rawBody: "{x" })).json.error.code).toBe("json_error");
  expect((await call("POST", url, { token: TOKEN, body: { records: [] } })).json.error.code).toBe("invalid_input");
});

it("secondary zones → 422 incorrect_zone_mode", async () => {
  const sec = emu.addZone({ name: "secondary.com", mode: "secondary" });
  emu.addRRSet(sec, { name: "www", records: [PRIMARY] });
  const res = await sendForward(buildDnsUpdateRequest(target({ zone: "secondary.com" }), BACKUP));
  expect(res.status).toBe(422);
  expect(res.json.error.code).toBe("incorrect_zone_mode");
});

it("create, get, list, change_ttl, delete", async () => {
  const created = await call("POST", `${api}/zones/${zoneId}/rrsets`, { token: TOKEN, body: { name: "api", type: "A", ttl: 120, records: [{ value: "192.0.2.1" }] } });
  expect(created.status).toBe(201);
  expect(created.json.rrset).toMatchObject({ id: "api/A", name: "api", type: "A", ttl: 120, zone: zoneId });
  const dup = await call("POST", `${api}/zones/${zoneId}/rrsets`, { token: TOKEN, body: { name: "api", type: "A", records: [{ value: "192.0.2.1" }] } });
  expect(dup.status).toBe(409);
  const low = await call("POST", `${api}/zones/${zoneId}/rrsets`, { token: TOKEN, body: { name: "low", type: "A", ttl: 10, records: [{ value: "192.0.2.1" }] } });
  expect(low.json.error.details.fields[0].name).toBe("ttl");
  const upper = await call("POST", `${api}/zones/${zoneId}/rrsets`, { token: TOKEN, body: { name: "API", type: "A", records: [{ value: "192.0.2.1" }] } });
  expect(upper.json.error.details.fields[0].name).toBe("name");
  expect((await call("GET", `${api}/zones/${zoneId}/rrsets/api/A`, { token: TOKEN })).json.rrset.records).toEqual([{ value: "192.0.2.1", comment: "" }]);
  expect((await call("GET", `${api}/zones/example.com/rrsets?type=A`, { token: TOKEN })).json.rrsets).toHaveLength(2);
  const ttl = await call("POST", `${api}/zones/${zoneId}/rrsets/api/A/actions/change_ttl`, { token: TOKEN, body: { ttl: 60 } });
  expect(ttl.status).toBe(201);
  expect(emu.getRRSet(zoneId, "api")!.ttl).toBe(60);
  const del = await call("DELETE", `${api}/zones/${zoneId}/rrsets/api/A`, { token: TOKEN });
  expect(del.status).toBe(201);
  expect(emu.getRRSet(zoneId, "api")).toBeUndefined();
  expect((await call("GET", `${api}/zones?name=example.com`, { token: TOKEN })).json.zones[0]).toMatchObject({ id: zoneId, mode: "primary", record_count: 1 });
});

it("forced 429 with RateLimit headers; snapshot/restore; recordCount", async () => {
  emu.failNext("rate_limit");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(429);
  expect(res.json.error.code).toBe("rate_limit_exceeded");
  expect(res.headers.get("ratelimit-limit")).toBe("3600");
  const snap = emu.snapshot();
  await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  emu.restore(snap);
  expect(emu.getRRSet(zoneId, "www")!.records[0]!.value).toBe(PRIMARY);
  emu.addRecord(zoneId, { name: "www", value: "192.0.2.9" });
  expect(emu.recordCount()).toBe(2);
});
