/**
 * The `drill` and `status` commands as a user runs them: usage errors (exit 2), progress lines and
 * verdicts, `--json`, exit codes, the API key never printed; the emulator banner shows the DNS port.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main, startEmulatorFromArgs } from "../../lib/cli";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { runDrillCommand, runStatusCommand } from "../../lib/ops/cli";
import { closeAllPools } from "../../lib/runlater";
import { clientFor, type Deployed, deploy, MINUTE, tempDir, virtualClock } from "./helpers";

let emu: Emulator;
let d: Deployed;
let tmp: ReturnType<typeof tempDir>;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

beforeAll(async () => {
  emu = await startEmulator({ allowPrivateTargets: true, virtualTimeoutCapMs: 200, rateLimit: false, apiKeys: ["pk_test_cli.sk_test_cli_secret"] });
  d = await deploy(emu, clientFor(emu), "www");
  await emu.advance(2 * MINUTE);
  tmp = tempDir();
});
afterAll(async () => {
  await emu.close();
  await closeAllPools();
  tmp.remove();
});

const deps = () => ({ clock: virtualClock(emu), env: { RUNLATER_API_KEY: emu.apiKey, RUNLATER_API_URL: emu.runlaterApiUrl, XDG_STATE_HOME: tmp.dir } });

test("usage errors exit 2 with the command's usage", async () => {
  for (const [argv, msg] of [
    [["drill"], /--task ID is required/],
    [["drill", "--task", "x", "--fail-url", "http://a/"], /--fail-url needs --full/],
    [["drill", "--task", "x", "--resolver", "nope"], /--resolver must look like HOST:PORT/],
    [["drill", "--bogus"], /unknown option --bogus/],
    [["status", "--bound", "x"], /--bound must be a number of seconds/],
    [["status", "--executions", "0"], /--executions must be an integer 1\.\.100/],
  ] as const) {
    const c = capture();
    expect(await main([...argv], c.io)).toBe(2);
    expect(c.err.join("\n")).toMatch(msg);
    expect(c.err.join("\n")).toContain(`usage: runlater-iac ${argv[0]}`);
  }
  await expect(runDrillCommand(["--task", d.taskId], capture().io, undefined, { env: {} })).rejects.toThrow(/RUNLATER_API_KEY is not set/);
  const help = capture();
  expect(await main(["--help"], help.io)).toBe(0);
  expect(help.out.join("\n")).toMatch(/drill\s+exercise a deployed failover[\s\S]*status\s+where each failover stands/);
});

test("drill: progress with elapsed time, verdict, exit 0; --json; journal under the state dir; key never printed", async () => {
  const c = capture();
  expect(await runDrillCommand(["--task", d.taskId, "--resolver", `127.0.0.1:${emu.dnsPort}`, "--poll", "5"], c.io, undefined, deps())).toBe(0);
  const text = c.out.join("\n");
  expect(text).toMatch(/^\[\s+\d+\.\ds\] ✓ trigger the failover endpoint {2}\(\d+\.\ds\) {2}inbound answered 20\d$/m);
  expect(text).toMatch(/✓ record shows the backup \(DNS 127\.0\.0\.1:\d+\) {2}\(\d+\.\ds\) {2}www\.cf\d+\.example\.com 203\.0\.113\.50/);
  expect(c.out.at(-1)).toMatch(/^PASSED: endpoint drill of "www" in \d+\.\ds; everything is back as it was$/);
  expect(existsSync(join(tmp.dir, "runlater-iac"))).toBe(true); // the default journal's directory ($XDG_STATE_HOME)
  expect(existsSync(join(tmp.dir, "runlater-iac", "drill-journal.json"))).toBe(false); // removed once all is back
  const j = capture();
  expect(await runDrillCommand(["--task", d.taskId, "--json", "--full", "--journal", join(tmp.dir, "j.json")], j.io, undefined, deps())).toBe(0);
  const report = JSON.parse(j.out.join("\n"));
  expect(report).toMatchObject({ verdict: "passed", mode: "full", restored: true, name: "www" });
  expect(j.err.some((l) => l.includes("✓ restore the health check's URL"))).toBe(true);
  for (const s of [text, j.out.join("\n"), j.err.join("\n")]) expect(s).not.toMatch(/sk_test_cli_secret|cf-test-token|\/in\/ep_/);
});

test("drill refused during an outage: exit 3; status reflects each state with its exit code", async () => {
  const s0 = capture();
  expect(await runStatusCommand(["--task", d.taskId], s0.io, undefined, deps())).toBe(0);
  expect(s0.out[0]).toMatch(/^FAILOVER/);
  expect(s0.out.join("\n")).toMatch(/www: healthy — healthy for \d+\+? checks, record on the primary/);
  d.health("fail");
  await emu.advance(MINUTE);
  const r = capture();
  expect(await runDrillCommand(["--task", d.taskId], r.io, undefined, deps())).toBe(3);
  expect(r.out.at(-1)).toMatch(/^REFUSED: endpoint drill of "www": the primary is currently unhealthy .*\(nothing was changed\)$/);
  const s1 = capture();
  expect(await runStatusCommand(["--json"], s1.io, undefined, deps())).toBe(0);
  const js = JSON.parse(s1.out.join("\n"));
  expect(js).toMatchObject({ boundMs: 300_000, exitCode: 0, failovers: [{ name: "www", verdict: "failed-over" }] });
  d.health("ok");
  await emu.advance(MINUTE);
  const s2 = capture();
  expect(await runStatusCommand(["--primary", "192.0.2.1"], s2.io, undefined, deps())).toBe(2);
  expect(s2.out.join("\n")).toMatch(/www: misconfigured — the recovery endpoint's stored address 198\.51\.100\.10 is not the primary 192\.0\.2\.1/);
  const bad = capture();
  expect(await runStatusCommand(["--task", "00000000-0000-7000-8000-000000000000"], bad.io, undefined, deps())).toBe(3);
  expect(bad.err.join("\n")).toMatch(/cannot read the failover/);
});

test("the emulator banner shows the DNS server's port", async () => {
  const c = capture();
  const e = await startEmulatorFromArgs(["--port", "0", "--virtual", "--dns-port", "0"], c.io);
  try {
    expect(c.out.join("\n")).toContain(`DNS server       udp+tcp 127.0.0.1:${e.dnsPort}   (dig @127.0.0.1 -p ${e.dnsPort} www.example.com A +short)`);
  } finally {
    await e.close();
  }
});
