/**
 * The HTTP control API under /_emulator (stats, deliveries, clock, state, targets, request log),
 * the real (sped-up) clock, the DNS provider mounts, and the `runlater-iac emulator` CLI.
 */
import * as http from "node:http";
import * as net from "node:net";
import { CliUsageError, main, parseEmulatorArgs } from "../../lib/cli";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { controlClient, controlFetch } from "../support/emulator-control";
import { apiClient, MIN } from "./helpers";

const KEY = "pk_test_control.sk_test_control_secret";

describe("control API", () => {
  let emu: Emulator;
  const lines: string[] = [];
  const api = apiClient(() => emu.runlaterApiUrl, KEY);
  const control = controlClient(() => emu);
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [KEY], log: (l) => lines.push(l) });
  });
  afterAll(() => emu.close());

  it("targets, clock advance, deliveries, stats, state and the request log over HTTP", async () => {
    // A built-in target used as the primary, without allowPrivateTargets.
    expect((await control("POST", "/targets/primary", { mode: "ok" })).body.data).toMatchObject({ name: "primary", mode: "ok", status: 200 });
    const targetUrl = `${emu.url}/_emulator/targets/primary`;
    expect((await fetch(targetUrl)).status).toBe(200);
    expect((await fetch(`${targetUrl}/hit`, { method: "DELETE" })).status).toBe(200);
    const task = (await api("POST", "/tasks", { url: targetUrl, cron: "* * * * *", on_failure_url: `${emu.genericUrl}/hook` })).body.data;
    expect(task.url).toBe(targetUrl);

    expect((await control("GET", "/clock")).body).toEqual({ mode: "virtual", speed: 1, now: "2026-01-01T00:00:00.000Z", pending: 1 });
    expect((await control("POST", "/clock/advance", { ms: MIN })).body).toMatchObject({ now: "2026-01-01T00:01:00.000Z" });
    await control("POST", "/targets/primary", { status: 503 });
    expect((await fetch(targetUrl)).status).toBe(503);
    expect((await control("POST", "/clock/advance", { to: "2026-01-01T00:02:00Z" })).body.now).toBe("2026-01-01T00:02:00.000Z");
    expect((await control("POST", "/clock/advance", { ms: -1 })).status).toBe(400);

    const all = (await control("GET", "/deliveries")).body.data;
    expect(all.map((d: { kind: string; statusCode: number }) => [d.kind, d.statusCode])).toEqual([
      ["cron", 200],
      ["cron", 503],
      ["hook.failure", 200],
    ]);
    expect((await control("GET", `/deliveries?kind=cron&task_id=${task.id}&after=1`)).body.data).toHaveLength(1);
    expect(emu.dns("generic").requests()).toHaveLength(1);

    const stats = (await control("GET", "/stats")).body;
    expect(stats.requests.byRoute).toMatchObject({ "runlater.tasks.create": 1, "generic.capture": 1 });
    expect(stats.requests.byMethodPath).toMatchObject({ "POST /api/v1/tasks": 1 });
    expect(stats.requests.byRoute).not.toHaveProperty("emulator.targets.hit"); // /_emulator/* is not counted
    expect(stats.objects).toMatchObject({ tasks: 1, endpoints: 0, total: 1 });
    expect((await control("POST", "/stats/reset")).body.requests).toEqual({ total: 0, byRoute: {}, byMethodPath: {} });

    const state = (await control("GET", "/state")).body;
    expect(state.tasks.map((t: { id: string }) => t.id)).toEqual([task.id]);
    expect(state.executions).toHaveLength(2);
    expect(state.targets).toEqual([expect.objectContaining({ name: "primary", mode: "fail", status: 503, hits: 5 })]);
    expect(Object.keys(state.dns).sort()).toEqual(["cloudflare", "digitalocean", "generic", "hetzner", "porkbun"]);

    const log = (await control("GET", "/requests")).body.data;
    expect(log.some((r: { route: string; status: number }) => r.route === "runlater.tasks.create" && r.status === 201)).toBe(true);
    const printed = lines.join("\n");
    expect(printed).toContain("POST /api/v1/tasks runlater.tasks.create 201");
    expect(printed).not.toContain("sk_test_control_secret");
    expect(JSON.stringify(log)).not.toContain("sk_test_control_secret");
  });

  it("needs the per-run token: none or a wrong one is a 401; X-Emulator-Token or Bearer pass", async () => {
    expect(emu.controlToken).toMatch(/^emu_[0-9a-f]{32}$/);
    for (const p of ["", "/state", "/stats", "/deliveries", "/requests", "/events", "/clock", "/faults", "/targets"]) {
      const r = await fetch(`${emu.url}/_emulator${p}`);
      expect([p, r.status]).toEqual([p, 401]);
      expect(await r.text()).not.toContain(emu.controlToken);
    }
    for (const [m, p] of [["POST", "/clock/advance"], ["POST", "/faults"], ["DELETE", "/faults"], ["POST", "/targets/x"], ["POST", "/stats/reset"]]) {
      expect((await fetch(`${emu.url}/_emulator${p}`, { method: m, body: "{}" })).status).toBe(401);
    }
    const last = emu.controlToken.at(-1) === "0" ? "1" : "0"; // always a different token
    const wrong = await fetch(`${emu.url}/_emulator/state`, { headers: { "x-emulator-token": `${emu.controlToken.slice(0, -1)}${last}` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${emu.url}/_emulator/state`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401); // an API key is not the token
    expect((await fetch(`${emu.url}/_emulator/state`, { headers: { authorization: `Bearer ${emu.controlToken}` } })).status).toBe(200);
    expect((await control("GET", "/state")).status).toBe(200);
    // Health-target hits need no token (health checks from anywhere hit them).
    expect((await fetch(`${emu.url}/_emulator/targets/free`)).status).toBe(200);
    expect((await fetch(`${emu.url}/_emulator/targets/free`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${emu.url}/_emulator/targets/free/hit`, { method: "PUT" })).status).toBe(200);
  });

  it("refuses a foreign Host or Origin (DNS rebinding, web pages), even with the token", async () => {
    const port = new URL(emu.url).port;
    // node:http lets the test choose Host (fetch does not); a rebinding page's requests carry its own name.
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = http.request(`${emu.url}/_emulator/state`, { headers: { "x-emulator-token": emu.controlToken, ...headers } }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        });
        req.on("error", reject);
        req.end();
      });
    expect((await get({ host: `attacker.example:${port}` })).status).toBe(403);
    expect((await get({ host: `127.0.0.1.nip.io:${port}` })).status).toBe(403);
    const noHost = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), "127.0.0.1", () => sock.end(`GET /_emulator/state HTTP/1.0\r\nX-Emulator-Token: ${emu.controlToken}\r\n\r\n`));
      let got = "";
      sock.on("data", (d) => {
        got += d;
      });
      sock.on("close", () => resolve(got));
    });
    expect(noHost).toMatch(/^HTTP\/1\.1 403 /);
    expect((await get({ origin: "http://attacker.example" })).status).toBe(403);
    expect((await get({ origin: "null" })).status).toBe(403);
    expect((await get({ origin: `https://attacker.example:${port}` })).status).toBe(403);
    expect((await get({ host: `localhost:${port}` })).status).toBe(200);
    expect((await get({ host: `[::1]:${port}` })).status).toBe(200);
    expect((await get({ origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await get({ origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it("index, 404s and bad bodies", async () => {
    expect((await control("GET", "")).body).toMatchObject({ runlaterApiUrl: `${emu.url}/api/v1`, cloudflareApiUrl: `${emu.url}/client/v4` });
    expect((await control("POST", "/targets/x", { mode: "weird" })).status).toBe(400);
    expect((await control("GET", "/nope")).status).toBe(404);
  });
});

describe("control API options", () => {
  it("controlToken fixes the token (validated); controlHosts adds accepted Host names; tokens differ per start", async () => {
    for (const bad of ["short", "has a space in it here", 42, "x".repeat(15)]) {
      await expect(startEmulator({ controlToken: bad as string })).rejects.toThrow(/^controlToken must be a string of at least 16/);
    }
    const emu = await startEmulator({ controlToken: "my-fixed-control-token", controlHosts: ["emu.test"] });
    const other = await startEmulator();
    try {
      expect(emu.controlToken).toBe("my-fixed-control-token");
      const third = await startEmulator();
      await third.close();
      expect(other.controlToken).not.toBe(third.controlToken);
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request(`${emu.url}/_emulator/clock`, { headers: { host, "x-emulator-token": "my-fixed-control-token" } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
      expect(await status("emu.test:4010")).toBe(200);
      expect(await status("EMU.TEST")).toBe(200);
      expect(await status("emu.test.attacker.example")).toBe(403);
    } finally {
      await emu.close();
      await other.close();
    }
  });
});

describe("DNS provider mounts", () => {
  it("exposes the providers at their prefixes with their own auth; dns(id) returns the instance", async () => {
    const emu = await startEmulator();
    try {
      expect(emu.apiKey).toBe("pk_test_emulator.sk_test_emulator");
      expect(emu.cloudflareApiUrl).toBe(`${emu.url}/client/v4`);
      expect(emu.digitaloceanApiUrl).toBe(`${emu.url}/v2`);
      expect(emu.hetznerApiUrl).toBe(`${emu.url}/v1`);
      expect(emu.porkbunApiUrl).toBe(`${emu.url}/api/json/v3`);
      const zone = emu.dns("cloudflare").addZone({ name: "example.org" });
      const r = await fetch(`${emu.cloudflareApiUrl}/zones/${zone}/dns_records`, { headers: { authorization: "Bearer cf-test-token" } });
      expect(r.status).toBe(200);
      expect((await fetch(`${emu.cloudflareApiUrl}/zones`)).status).not.toBe(200);
      expect(emu.dns("hetzner").id).toBe("hetzner");
      expect(() => emu.dns("route53")).toThrow(/no DNS emulator "route53"/);
      expect(emu.stats().requests.byRoute["cloudflare.dns_records.list"]).toBe(1);
    } finally {
      await emu.close();
    }
  });
});

describe("real clock", () => {
  it("runs cron ticks in the background at `speed` (3600: one emulated hour per second)", async () => {
    const start = Date.parse("2026-03-01T12:00:00Z");
    const emu = await startEmulator({ clock: { mode: "real", speed: 3600 }, startTime: start });
    try {
      const api = apiClient(() => emu.runlaterApiUrl, emu.apiKey);
      const t = emu.target("rt");
      const created = (await api("POST", "/tasks", { url: t.url, cron: "* * * * *" })).body.data;
      const first = Date.parse(created.next_run_at); // the clock runs on while the task is created
      await expect(emu.advance(1000)).rejects.toThrow(/virtual/);
      expect((await controlFetch(emu, "POST", "/clock/advance", "{}")).status).toBe(409);
      // Wait (bounded) for the background loop: 2 ticks need ~33 ms of real time.
      const deadline = Date.now() + 5000;
      while (emu.deliveries({ kind: "cron" }).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const ticks = emu.deliveries({ kind: "cron" }).map((d) => Date.parse(d.scheduledFor));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(first).toBeGreaterThan(start);
      expect(ticks[0]).toBe(first);
      expect(ticks[1]).toBe(first + MIN); // consecutive ticks, none skipped
      expect(emu.now().getTime()).toBeGreaterThan(first + MIN);
    } finally {
      await emu.close();
    }
  });
});

describe("CLI", () => {
  it("parses emulator options", () => {
    const p = parseEmulatorArgs(["--port=0", "--state", "s.json", "--allow-private", "--speed", "60", "--api-key", "k1", "--api-key", "k2=org2", "--tier", "free", "--no-rate-limit", "--dns-token", "cloudflare=cf-x"]);
    expect(p.options).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      stateFile: "s.json",
      allowPrivateTargets: true,
      clock: { mode: "real", speed: 60 },
      apiKeys: { k1: "org_default", k2: "org2" },
      tier: "free",
      rateLimit: false,
    });
    expect(p.options.dns?.cloudflare).toEqual({ tokens: ["cf-x"] });
    expect(parseEmulatorArgs(["--virtual", "--api-key", "k"]).options).toMatchObject({ clock: "virtual", apiKeys: ["k"], port: 4010 });
    expect(parseEmulatorArgs([]).options.clock).toEqual({ mode: "real", speed: 1 });
    expect(parseEmulatorArgs(["--kind", "noHostBlocking,hookRetries=2", "--start-jitter=1000-15000", "--hook-loss", "0.01"]).options).toMatchObject({
      kind: { noHostBlocking: true, hookRetries: 2 },
      startJitterMs: [1000, 15000],
      hookLossProbability: 0.01,
    });
    for (const bad of [
      ["--speed", "0"],
      ["--virtual", "--speed", "2"],
      ["--tier", "gold"],
      ["--port"],
      ["--wat"],
      ["--dns-token", "route53=x"],
      ["--kind", "beNice"],
      ["--start-jitter", "5-1"],
      ["--hook-loss", "2"],
    ]) {
      expect(() => parseEmulatorArgs(bad)).toThrow(CliUsageError);
    }
  });

  it("`emulator` prints the URLs and the control token once, never --api-key/--dns-token values; serves until stopped", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const ac = new AbortController();
    const args = ["emulator", "--port", "0", "--virtual", "--verbose", "--api-key", "pk_cli.sk_cli_secret", "--dns-token", "hetzner=hz-secret-token", "--dns-token", "porkbun=pk1_x:sk1_secret"];
    const running = main(args, io, ac.signal);
    while (!out.some((l) => l.startsWith("Press Ctrl+C"))) await new Promise((r) => setImmediate(r));
    const apiUrl = out.find((l) => l.includes("Runlater API"))!.trim().split(/\s+/).at(-1)!;
    const banner = out.join("\n");
    for (const secret of ["sk_cli_secret", "pk_cli", "hz-secret-token", "sk1_secret", "pk1_x"]) expect(banner).not.toContain(secret);
    expect(banner).toContain("cf-test-token"); // built-in test defaults are still shown
    expect(banner).toMatch(/API key +1 key from --api-key \(not shown\)/);
    const token = /control token +(emu_[0-9a-f]{32})/.exec(banner)![1];
    expect(banner.split(token)).toHaveLength(2); // printed once
    const origin = apiUrl.replace(/\/api\/v1$/, "");
    const r = await fetch(`${apiUrl}/tasks`, { headers: { authorization: "Bearer pk_cli.sk_cli_secret" } });
    expect(r.status).toBe(200);
    expect((await fetch(`${origin}/_emulator/clock`, { headers: { "x-emulator-token": token } })).status).toBe(200);
    expect((await fetch(`${origin}/_emulator/clock`)).status).toBe(401);
    ac.abort();
    expect(await running).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("\n")).not.toContain("sk_cli_secret");
  });

  it("usage errors and unknown commands exit 2", async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l) };
    expect(await main(["nope"], io)).toBe(2);
    expect(await main(["emulator", "--tier", "gold"], io)).toBe(2);
    expect(err.join("\n")).toMatch(/unknown command "nope"[\s\S]*--tier must be pro or free/);
    const out: string[] = [];
    expect(await main(["emulator", "--help"], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join("\n")).toContain("--no-rate-limit");
  });
});
