/** Porkbun emulator over real HTTP: editByNameType via the adapter (keys in the body), ERROR answers. */
import { buildDnsUpdateRequest, type PorkbunDnsTarget } from "../../lib/dns";
import { PorkbunEmulator } from "../../lib/emulator/dns-porkbun";
import { call, sendForward, serve, type TestServer } from "./harness";

const KEYS = { apikey: "pk1_test", secretapikey: "sk1_test" };
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let emu: PorkbunEmulator;
let server: TestServer;
let api: string;

const target = (over: Partial<PorkbunDnsTarget> = {}): PorkbunDnsTarget => ({
  provider: "porkbun",
  domain: "example.com",
  subdomain: "www",
  apiKey: "pk1_test",
  secretApiKey: "sk1_test",
  apiBaseUrl: api,
  ...over,
});

beforeEach(async () => {
  emu = new PorkbunEmulator({ now: () => new Date("2026-03-01T12:00:00.000Z") });
  server = await serve(emu);
  api = `${server.url}/api/json/v3`;
  emu.addDomain("example.com");
  emu.addRecord("example.com", { name: "www", type: "A", content: PRIMARY, ttl: 600 });
  emu.addRecord("example.com", { name: "www", type: "A", content: "198.51.100.11", ttl: 600 });
  emu.addRecord("example.com", { name: "", type: "A", content: PRIMARY });
});
afterEach(() => server.close());

it("editByNameType updates every matching record", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ status: "SUCCESS" });
  expect(server.hits).toEqual(["porkbun.dns.editByNameType"]);
  expect(emu.findRecords("example.com", "A", "www").map((r) => r.content)).toEqual([BACKUP, BACKUP]);
  expect(emu.findRecords("example.com", "A").map((r) => r.content)).toEqual([PRIMARY]);
});

it("the apex works with the subdomain omitted and with @", async () => {
  expect((await sendForward(buildDnsUpdateRequest(target({ subdomain: undefined }), BACKUP))).json.status).toBe("SUCCESS");
  expect(emu.findRecords("example.com", "A", "@")[0]!.content).toBe(BACKUP);
  const at = await call("POST", `${api}/dns/editByNameType/example.com/A/@`, { body: { ...KEYS, content: PRIMARY } });
  expect(at.json.status).toBe("SUCCESS");
  expect(emu.findRecords("example.com", "A")[0]!.content).toBe(PRIMARY);
});

it("TTL below 600 is raised to 600; string or number accepted", async () => {
  await sendForward(buildDnsUpdateRequest(target({ ttl: 60 }), BACKUP));
  expect(emu.findRecords("example.com", "A", "www").map((r) => r.ttl)).toEqual(["600", "600"]);
  await call("POST", `${api}/dns/editByNameType/example.com/A/www`, { body: { ...KEYS, content: BACKUP, ttl: 900 } });
  expect(emu.findRecords("example.com", "A", "www")[0]!.ttl).toBe("900");
  const bad = await call("POST", `${api}/dns/editByNameType/example.com/A/www`, { body: { ...KEYS, content: BACKUP, ttl: "soon" } });
  expect(bad.json).toMatchObject({ status: "ERROR", code: "INVALID_REQUEST", message: "Invalid TTL." });
});

it("bad keys → 400 Invalid API key. (001)", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target({ secretApiKey: "sk1_wrong" }), BACKUP));
  expect(res.status).toBe(400);
  expect(res.json).toEqual({ status: "ERROR", code: "INVALID_API_KEYS", message: "Invalid API key. (001)", next_action: expect.any(String) });
  expect(emu.findRecords("example.com", "A", "www")[0]!.content).toBe(PRIMARY);
  const noBody = await call("POST", `${api}/ping`);
  expect(noBody.json.message).toBe("Invalid API key. (001)");
});

it("API access off for the domain → 403 ERROR", async () => {
  emu.setApiAccess("example.com", false);
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(403);
  expect(res.json.message).toMatch(/not opted in to API access/);
});

it("no matching record → ERROR (never creates)", async () => {
  const res = await sendForward(buildDnsUpdateRequest(target({ subdomain: "api" }), BACKUP));
  expect(res.status).toBe(400);
  expect(res.json.status).toBe("ERROR");
  expect(emu.recordCount()).toBe(3);
});

it("bad IP → ERROR; bad JSON → ERROR; GET → 405", async () => {
  const ip = await sendForward(buildDnsUpdateRequest(target({ type: "AAAA" }), BACKUP));
  expect(ip.json.status).toBe("ERROR");
  emu.addRecord("example.com", { name: "v6", type: "AAAA", content: "2001:db8::1" });
  const ip6 = await sendForward(buildDnsUpdateRequest(target({ type: "AAAA", subdomain: "v6" }), "1.2.3.4"));
  expect(ip6.json).toMatchObject({ status: "ERROR", message: "Invalid IPv6 address for AAAA record." });
  expect((await call("POST", `${api}/ping`, { rawBody: "{oops" })).json.status).toBe("ERROR");
  const get = await call("GET", `${api}/ping`);
  expect(get.status).toBe(405);
  expect(get.json.status).toBe("ERROR");
});

it("create, retrieveByNameType, ping, delete", async () => {
  const created = await call("POST", `${api}/dns/create/example.com`, { body: { ...KEYS, name: "api", type: "A", content: "192.0.2.3", ttl: "300" } });
  expect(created.json).toEqual({ status: "SUCCESS", id: expect.any(Number) });
  const got = await call("POST", `${api}/dns/retrieveByNameType/example.com/A/api`, { body: KEYS });
  expect(got.json.records).toEqual([
    { id: String(created.json.id), name: "api.example.com", type: "A", content: "192.0.2.3", ttl: "600", prio: "0", notes: "" },
  ]);
  const ping = await call("POST", `${api}/ping`, { body: KEYS });
  expect(ping.json).toEqual({ status: "SUCCESS", yourIp: expect.stringMatching(/127\.0\.0\.1/) });
  expect((await call("POST", `${api}/dns/delete/example.com/${created.json.id}`, { body: KEYS })).json.status).toBe("SUCCESS");
  expect(emu.recordCount()).toBe(3);
});

it("forced soft error: HTTP 200 with status ERROR; snapshot/restore", async () => {
  emu.failNext("soft_error");
  const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  expect(res.status).toBe(200);
  expect(res.json.status).toBe("ERROR");
  const snap = emu.snapshot();
  await sendForward(buildDnsUpdateRequest(target(), BACKUP));
  emu.restore(snap);
  expect(emu.findRecords("example.com", "A", "www")[0]!.content).toBe(PRIMARY);
});

it("custom key pairs via tokens", () => {
  expect(() => new PorkbunEmulator({ tokens: ["no-colon"] })).toThrow(/apikey/);
});
