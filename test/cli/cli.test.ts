import { request } from "undici";
import { CliUsageError, main, parseEmulatorArgs } from "../../lib/cli";
import { closeAllPools } from "../../lib/runlater";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

afterAll(() => closeAllPools());

describe("runlater-iac CLI", () => {
  test("no command prints usage and exits 2; --help exits 0", async () => {
    const a = capture();
    expect(await main([], a.io)).toBe(2);
    expect(a.out.join("\n")).toMatch(/commands:[\s\S]*demo[\s\S]*emulator/);
    const b = capture();
    expect(await main(["--help"], b.io)).toBe(0);
  });

  test("unknown command names it", async () => {
    const c = capture();
    expect(await main(["deploy"], c.io)).toBe(2);
    expect(c.err.join("\n")).toContain('unknown command "deploy"');
  });

  test.each([
    [["--port", "70000"], /--port must be an integer 0..65535, got 70000/],
    [["--speed", "0"], /--speed must be a number in \(0, 3600\]/],
    [["--speed", "5", "--virtual"], /--speed and --virtual exclude each other/],
    [["--tier", "gold"], /--tier must be pro or free, got gold/],
    [["--dns-token", "route53=x"], /PROVIDER one of cloudflare, digitalocean, hetzner, porkbun, generic/],
    [["--dns-token", "porkbun=abc"], /porkbun=APIKEY:SECRETAPIKEY/],
    [["--start", "yesterday"], /--start must be an ISO-8601 date/],
    [["--port"], /--port needs a value/],
    [["--bogus"], /unknown option --bogus/],
  ])("emulator %j is a usage error", (args, msg) => {
    expect(() => parseEmulatorArgs(args as string[])).toThrow(CliUsageError);
    expect(() => parseEmulatorArgs(args as string[])).toThrow(msg as RegExp);
  });

  test("emulator options map onto startEmulator options", () => {
    const p = parseEmulatorArgs(["--port=0", "--virtual", "--api-key", "a.b", "--api-key", "c.d=org_2", "--no-rate-limit", "--allow-private", "--tier", "free", "--dns-token", "cloudflare=tok"]);
    expect(p.options).toMatchObject({ port: 0, clock: "virtual", apiKeys: { "a.b": "org_default", "c.d": "org_2" }, rateLimit: false, allowPrivateTargets: true, tier: "free" });
    expect(p.options.dns?.cloudflare).toEqual({ tokens: ["tok"] });
    expect(parseEmulatorArgs(["--speed", "60"]).options.clock).toEqual({ mode: "real", speed: 60 });
  });

  test("a usage error exits 2 and prints the command's usage", async () => {
    const c = capture();
    expect(await main(["emulator", "--port", "x"], c.io)).toBe(2);
    expect(c.err.join("\n")).toMatch(/--port must be an integer[\s\S]*usage: runlater-iac emulator/);
  });

  test("emulator serves until aborted, prints its URLs and accepts the key it prints", async () => {
    const c = capture();
    const ac = new AbortController();
    const done = main(["emulator", "--port", "0", "--virtual", "--api-key", "pk_cli.sk_cli"], c.io, ac.signal);
    // Wait for the banner (the command prints it once the server listens).
    for (let i = 0; i < 500 && !c.out.some((l) => l.includes("Press Ctrl+C")); i++) await new Promise((r) => setImmediate(r));
    const api = /RUNLATER_API_URL=(\S+)/.exec(c.out.join("\n"))?.[1];
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    const ok = await request(`${api}/tasks`, { headers: { authorization: "Bearer pk_cli.sk_cli" } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const denied = await request(`${api}/tasks`, { headers: { authorization: "Bearer nope" } });
    expect(denied.statusCode).toBe(401);
    await denied.body.dump();
    ac.abort();
    expect(await done).toBe(0);
    expect(c.out.at(-1)).toContain("stopping emulator");
  });

  test("demo: 8 objects, a lost failure hook, the probe fails over anyway, recovery, 8 deletes", async () => {
    const c = capture();
    expect(await main(["demo"], c.io)).toBe(0);
    const text = c.out.join("\n");
    expect(text).toMatch(/\+ FailoverObjects {2}www {2}\(one resource in state, 8 Runlater objects\)/);
    for (const o of ["ForwardEndpoint  www failover", "ForwardEndpoint  www recovery", "HeartbeatMonitor www latch-2", "HealthCheckTask  www health", "HealthCheckTask  www pulse"]) {
      expect(text).toContain(`      ${o}  (`);
    }
    expect(text).toMatch(/8 Runlater API calls: the convergent wiring/);
    expect(text).toMatch(/health failed → on_failure_url \(failover\) → 500 {2}✖ hook lost/);
    expect(text).toMatch(/probe failed → on_failure_url \(relay\) → 200/);
    expect(text).toMatch(/⇒ DNS www\.example\.com A 203\.0\.113\.50 {2}\(failed over to the backup\)/);
    expect(text).toMatch(/⇒ DNS www\.example\.com A 198\.51\.100\.10 {2}\(back on the primary\)/);
    expect(text).toMatch(/8 Runlater API calls; emulator now holds 0 tasks, 0 endpoints, 0 monitors/);
    expect(text.indexOf("failed over")).toBeLessThan(text.indexOf("back on the primary"));
  });
});
