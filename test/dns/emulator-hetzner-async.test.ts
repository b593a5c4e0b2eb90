/**
 * Hetzner Cloud emulator, issue 12 §1: the RRSet TTL (set_records cannot change it; null means
 * the zone default), asynchronous actions on the virtual clock (`running` → `success` | `error`)
 * and `locked` while an action runs. Also what a stored request sees: only the 201.
 */
import { buildDnsUpdateRequest, buildHetznerChangeTtlRequest, type HetznerDnsTarget } from "../../lib/dns";
import { HetznerEmulator, type HetznerEmulatorOptions } from "../../lib/emulator/dns-hetzner";
import { call, sendForward, serve, type TestServer } from "./harness";

const TOKEN = "hz-test-token";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let now = 0;
let emu: HetznerEmulator;
let server: TestServer;
let api: string;

const target = (over: Partial<HetznerDnsTarget> = {}): HetznerDnsTarget => ({ provider: "hetzner", zone: "example.com", name: "www", apiToken: TOKEN, apiBaseUrl: api, ...over });

async function start(opts: HetznerEmulatorOptions = {}, ttl: number | null | undefined = undefined): Promise<void> {
  now = Date.parse("2026-03-01T12:00:00.000Z");
  emu = new HetznerEmulator({ now: () => new Date(now), ...opts });
  server = await serve(emu);
  api = `${server.url}/v1`;
  emu.addZone({ name: "example.com", ttl: 3600 });
  emu.addRRSet("example.com", { name: "www", type: "A", ttl, records: [PRIMARY] });
}
afterEach(() => server.close());

describe("TTL", () => {
  it("an RRSet created without a TTL keeps ttl null = the zone default (3600 s)", async () => {
    await start();
    const created = await call("POST", `${api}/zones/example.com/rrsets`, { token: TOKEN, body: { name: "api", type: "A", records: [{ value: PRIMARY }] } });
    expect(created.status).toBe(201);
    expect(created.json.rrset.ttl).toBeNull();
    expect(emu.effectiveTtl("example.com", "api")).toBe(3600);
    expect(emu.effectiveTtl("example.com", "www")).toBe(3600);
  });

  it("set_records never changes the TTL, even with a ttl in the body; change_ttl does", async () => {
    await start();
    const res = await call("POST", `${api}/zones/example.com/rrsets/www/A/actions/set_records`, { token: TOKEN, body: { records: [{ value: BACKUP }], ttl: 60 } });
    expect(res.status).toBe(201);
    expect(emu.getRRSet("example.com", "www")).toMatchObject({ ttl: null, records: [{ value: BACKUP }] });
    expect(emu.effectiveTtl("example.com", "www")).toBe(3600);

    const change = await sendForward(buildHetznerChangeTtlRequest(target(), 60));
    expect(change.status).toBe(201);
    expect(change.json.action).toMatchObject({ command: "change_rrset_ttl", status: "success" });
    expect(emu.effectiveTtl("example.com", "www")).toBe(60);
    // Back to the zone default.
    await sendForward(buildHetznerChangeTtlRequest(target(), null));
    expect(emu.getRRSet("example.com", "www")!.ttl).toBeNull();
  });
});

describe("asynchronous actions on the virtual clock", () => {
  it("running → success: the change lands only when the action ends", async () => {
    await start({ actionDurationMs: 5000 });
    const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    expect(res.status).toBe(201);
    expect(res.json.action).toMatchObject({ status: "running", progress: 0, finished: null, error: null });
    expect(emu.getRRSet("example.com", "www")!.records[0]!.value).toBe(PRIMARY);
    now += 4999;
    expect((await call("GET", `${api}/actions/${res.json.action.id}`, { token: TOKEN })).json.action.status).toBe("running");
    now += 1;
    const done = await call("GET", `${api}/actions/${res.json.action.id}`, { token: TOKEN });
    expect(done.json.action).toMatchObject({ status: "success", progress: 100, finished: "2026-03-01T12:00:05Z", error: null });
    expect(emu.getRRSet("example.com", "www")!.records[0]!.value).toBe(BACKUP);
  });

  it("running → error: the stored request got its 201, the record never changed", async () => {
    await start({ actionDurationMs: 2000, actionOutcome: "error" });
    const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    // All a fire-and-forget forwarder (Runlater) ever sees: a 2xx with a running action.
    expect(res.status).toBe(201);
    expect(res.json.action.status).toBe("running");
    now += 2000;
    expect(emu.getAction(res.json.action.id)).toMatchObject({ status: "error", error: { code: expect.any(String), message: expect.any(String) } });
    expect(emu.getRRSet("example.com", "www")!.records[0]!.value).toBe(PRIMARY);
  });

  it("a second action on the RRSet while one runs: 423 locked; free again afterwards", async () => {
    await start({ actionDurationMs: 3000 });
    expect((await sendForward(buildDnsUpdateRequest(target(), BACKUP))).status).toBe(201);
    const second = await sendForward(buildDnsUpdateRequest(target(), PRIMARY));
    expect(second.status).toBe(423);
    expect(second.json).toEqual({ error: { code: "locked", message: expect.stringMatching(/already an action running/), details: {} } });
    expect((await sendForward(buildHetznerChangeTtlRequest(target(), 60))).status).toBe(423);
    expect((await call("DELETE", `${api}/zones/example.com/rrsets/www/A`, { token: TOKEN })).status).toBe(423);
    // Another RRSet is not locked.
    emu.addRRSet("example.com", { name: "api", type: "A", records: [PRIMARY] });
    expect((await sendForward(buildDnsUpdateRequest(target({ name: "api" }), BACKUP))).status).toBe(201);
    now += 3000;
    const third = await sendForward(buildDnsUpdateRequest(target(), PRIMARY));
    expect(third.status).toBe(201);
  });

  it("outcome running waits for completeActions(); a snapshot keeps running actions", async () => {
    await start({ actionOutcome: "running" });
    const res = await sendForward(buildDnsUpdateRequest(target(), BACKUP));
    now += 3_600_000;
    expect(emu.getAction(res.json.action.id)!.status).toBe("running");
    const copy = new HetznerEmulator({ now: () => new Date(now) });
    copy.restore(emu.snapshot());
    expect(copy.completeActions("success")).toBe(1);
    expect(copy.getRRSet("example.com", "www")!.records[0]!.value).toBe(BACKUP);
    expect(emu.getRRSet("example.com", "www")!.records[0]!.value).toBe(PRIMARY);
  });
});
