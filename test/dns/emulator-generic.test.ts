/** Generic capture target + generic adapter over real HTTP, and all emulators mounted together. */
import { buildDnsUpdateRequest, type GenericDnsTarget } from "../../lib/dns";
import { createDnsEmulators } from "../../lib/emulator/dns-index";
import { GenericCaptureEmulator } from "../../lib/emulator/dns-generic";
import { call, sendForward, serve, type TestServer } from "./harness";

const BACKUP = "203.0.113.50";

describe("generic capture", () => {
  let emu: GenericCaptureEmulator;
  let server: TestServer;
  const target = (over: Partial<GenericDnsTarget> = {}): GenericDnsTarget => ({
    provider: "generic",
    url: `${server.url}/_generic/records/42?zone=example.com`,
    method: "PATCH",
    headers: { Authorization: "Bearer gen-token", "X-Trace": "t1" },
    body: { record: { type: "A", value: "{{content}}" } },
    ...over,
  });

  beforeEach(async () => {
    emu = new GenericCaptureEmulator({ tokens: ["gen-token"], now: () => new Date("2026-03-01T12:00:00.000Z") });
    server = await serve(emu);
  });
  afterEach(() => server.close());

  it("records the adapter's request exactly", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    const got = emu.lastRequest()!;
    expect(got).toMatchObject({
      seq: 1,
      at: "2026-03-01T12:00:00.000Z",
      method: "PATCH",
      path: "/_generic/records/42",
      query: "zone=example.com",
      body: '{"record":{"type":"A","value":"203.0.113.50"}}',
      authorized: true,
      status: 200,
    });
    expect(got.headers).toMatchObject({ authorization: "Bearer gen-token", "x-trace": "t1", "content-type": "application/json" });
    expect(JSON.parse(emu.lastBody("/_generic/records/42")!).record.value).toBe(BACKUP);
    expect(emu.recordCount()).toBe(1);
  });

  it("answers a configured status (once or always) and 401 for a bad token", async () => {
    emu.respondOnce(503);
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(503);
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(200);
    emu.setResponse(422, { error: "bad ip" });
    const r = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(r.status).toBe(422);
    expect(r.json).toEqual({ error: "bad ip" });
    const bad = await sendForward(buildDnsUpdateRequest(target({ headers: { Authorization: "Bearer nope" } }), BACKUP));
    expect(bad.status).toBe(401);
    expect(emu.requests().map((x) => [x.status, x.authorized])).toEqual([
      [503, true],
      [200, true],
      [422, true],
      [401, false],
    ]);
    // Only the accepted 2xx request counts as the "record".
    expect(JSON.parse(emu.lastBody()!).record.value).toBe(BACKUP);
    emu.clear();
    expect(emu.recordCount()).toBe(0);
  });

  it("any method, any sub-path; string templates", async () => {
    const res = await sendForward(buildDnsUpdateRequest(target({ method: "POST", url: `${server.url}/_generic`, body: "ip={{content}}" }), BACKUP));
    expect(res.status).toBe(200);
    expect(emu.lastRequest()).toMatchObject({ method: "POST", path: "/_generic", body: `ip=${BACKUP}` });
    expect((await call("DELETE", `${server.url}/_generic/a/b/c`, { token: "gen-token" })).status).toBe(200);
  });
});

describe("createDnsEmulators", () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it("creates all five, shares the clock, and mounts together without route conflicts", async () => {
    let t = new Date("2030-01-01T00:00:00.000Z");
    const emus = createDnsEmulators({ now: () => t, porkbun: { keys: [{ apiKey: "pk1_x", secretApiKey: "sk1_x" }] } });
    expect(emus.map((e) => [e.id, e.prefix])).toEqual([
      ["cloudflare", "/client/v4"],
      ["digitalocean", "/v2"],
      ["hetzner", "/v1"],
      ["porkbun", "/api/json/v3"],
      ["generic", "/_generic"],
    ]);
    const names = emus.flatMap((e) => e.routes().map((r) => r.name));
    for (const n of ["cloudflare.dns_records.patch", "digitalocean.records.update", "hetzner.rrsets.set_records", "porkbun.dns.editByNameType", "generic.capture"]) {
      expect(names).toContain(n);
    }
    for (const e of emus) for (const r of e.routes()) expect(r.path.startsWith(e.prefix)).toBe(true);
    server = await serve(emus);
    const [cf, dOcean, hz, pb, gen] = emus;

    const zone = cf.addZone({ name: "example.com" });
    const rec = cf.addRecord(zone, { name: "www", content: "198.51.100.10", ttl: 60 });
    t = new Date("2030-01-01T00:01:00.000Z");
    dOcean.addDomain("example.com");
    const doId = dOcean.addRecord("example.com", { name: "www", data: "198.51.100.10" });
    hz.addRRSet(hz.addZone("example.com"), { name: "www", records: ["198.51.100.10"] });
    pb.addDomain("example.com");
    pb.addRecord("example.com", { name: "www", content: "198.51.100.10" });

    const sends = [
      buildDnsUpdateRequest({ provider: "cloudflare", zoneId: zone, recordId: rec, apiToken: "cf-test-token", apiBaseUrl: `${server.url}/client/v4` }, BACKUP),
      buildDnsUpdateRequest({ provider: "digitalocean", domain: "example.com", recordId: doId, name: "www", apiToken: "do-test-token", apiBaseUrl: `${server.url}/v2` }, BACKUP),
      buildDnsUpdateRequest({ provider: "hetzner", zone: "example.com", name: "www", apiToken: "hz-test-token", apiBaseUrl: `${server.url}/v1` }, BACKUP),
      buildDnsUpdateRequest(
        { provider: "porkbun", domain: "example.com", subdomain: "www", apiKey: "pk1_x", secretApiKey: "sk1_x", apiBaseUrl: `${server.url}/api/json/v3` },
        BACKUP,
      ),
      buildDnsUpdateRequest({ provider: "generic", url: `${server.url}/_generic/x`, method: "PUT", body: { ip: "{{content}}" } }, BACKUP),
    ];
    const statuses = [];
    for (const s of sends) statuses.push((await sendForward(s)).status);
    expect(statuses).toEqual([200, 200, 201, 200, 200]);
    expect(cf.getRecord(zone, rec)).toMatchObject({ content: BACKUP, created_on: "2030-01-01T00:00:00.000Z", modified_on: "2030-01-01T00:01:00.000Z" });
    expect(dOcean.getRecord("example.com", doId)!.data).toBe(BACKUP);
    expect(hz.getRRSet("example.com", "www")!.records[0]!.value).toBe(BACKUP);
    expect(pb.findRecords("example.com", "A", "www")[0]!.content).toBe(BACKUP);
    expect(JSON.parse(gen.lastBody()!)).toEqual({ ip: BACKUP });
    expect(gen.lastRequest()!.at).toBe("2030-01-01T00:01:00.000Z");
    expect(emus.map((e) => e.recordCount())).toEqual([1, 1, 1, 1, 1]);
    // Snapshots are JSON-serialisable and restore into fresh instances.
    const fresh = createDnsEmulators();
    for (const [i, e] of emus.entries()) fresh[i]!.restore(JSON.parse(JSON.stringify(e.snapshot())));
    expect(fresh.map((e) => e.recordCount())).toEqual([1, 1, 1, 1, 1]);
    expect(fresh[0].getRecord(zone, rec)!.content).toBe(BACKUP);
  });
});
