/**
 * What `cdktf deploy` runs, for real: examples/cdktf-failover synthesized with cdktf and with cdktn,
 * then OpenTofu (built by scripts/engines/tofu.sh) with the magodo/restful provider applies it
 * against the emulator. Run with `npm run test:engines`.
 *
 * The cloudflare/cloudflare provider cannot be built from the Go module proxy, so by default the
 * stack targets a record seeded in the emulator by id (the example's `FAILOVER_RECORD_ID` mode);
 * with RUNLATER_TF_HAS_CLOUDFLARE=1 (a provider binary given to tofu.sh) the stack also creates
 * the record with the cloudflare provider pointed at the emulator.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools, RunlaterClient } from "../../lib/runlater";
import { healthTask, MINUTE, ROOT, sh } from "./support";

const TOFU = process.env.RUNLATER_TOFU;
const WITH_CF = process.env.RUNLATER_TF_HAS_CLOUDFLARE === "1";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const API_KEY = "pk_e2e_tofu.sk_e2e_tofu_1a2b3c4d5e6f";
// The Cloudflare provider insists on 40-character tokens.
const CF_TOKEN = "cfE2eTofuToken0123456789abcdefABCDEF0123";
/** The token after a rotation (both are accepted by the emulator). */
const CF_TOKEN_ROTATED = "cfE2eTofuRotated0123456789abcdefABCDEF01";

const maybe = TOFU ? describe : describe.skip;
if (!TOFU) console.log("SKIPPED: [tofu e2e] RUNLATER_TOFU is not set; run `npm run test:engines` (builds OpenTofu and magodo/restful from Go modules)");
if (TOFU && !WITH_CF) {
  console.log(
    "SKIPPED: [tofu e2e] the cloudflare_dns_record variant: cloudflare/cloudflare v5 is not buildable from the Go module proxy (set RUNLATER_TF_CLOUDFLARE_PROVIDER for scripts/engines/tofu.sh); the record is seeded in the emulator instead",
  );
}

describe.each(["cdktf", "cdktn"] as const)("%s: synth + tofu apply of examples/cdktf-failover against the emulator", (core) => {
  maybe("tofu", () => {
    let emu: Emulator;
    let tmp: string;
    let stackDir: string;
    let statePath: string;
    let zoneId: string;
    let recordId: string | undefined;
    let env: NodeJS.ProcessEnv;
    const cf = () => emu.dns("cloudflare");
    const content = () => {
      if (recordId) return cf().getRecord(zoneId, recordId)?.content;
      return cf().listRecords?.(zoneId)?.[0]?.content;
    };
    /** Every plan/apply/show output of the run, checked for inbound URLs at the end. */
    const logs: { cmd: string; out: string }[] = [];
    const tofu = async (...args: string[]) => {
      const r = await sh(TOFU!, args, { cwd: stackDir, env });
      logs.push({ cmd: args.join(" "), out: r.out });
      return r;
    };
    /** Runlater API calls since the last `resetStats()`, as "METHOD /path-pattern" → count (DNS and control calls left out). */
    const calls = () =>
      Object.fromEntries(Object.entries(emu.stats().requests.byMethodPath).filter(([k]) => / \/api\/v1\//.test(k)));
    const total = (c: Record<string, number>, method: string) =>
      Object.entries(c).filter(([k]) => k.startsWith(`${method} `)).reduce((n, [, v]) => n + v, 0);

    beforeAll(async () => {
      emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, dns: { cloudflare: { tokens: [CF_TOKEN, CF_TOKEN_ROTATED] } } });
      zoneId = cf().addZone({ name: "example.com" });
      if (!WITH_CF) recordId = cf().addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60, proxied: false });
      emu.target("primary").set("ok");
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `rl-tofu-${core}-`));
      statePath = path.join(tmp, "terraform.tfstate");
      const synthEnv: NodeJS.ProcessEnv = {
        ...process.env,
        RUNLATER_CDKTF_CORE: core,
        CDKTF_OUTDIR: path.join(tmp, "cdktf.out"),
        RUNLATER_API_URL: emu.runlaterApiUrl,
        CLOUDFLARE_BASE_URL: emu.cloudflareApiUrl,
        RUNLATER_ALLOW_PRIVATE_TARGETS: "true",
        FAILOVER_ZONE_ID: zoneId,
        FAILOVER_RECORD_ID: recordId ?? "",
        FAILOVER_HEALTH_URL: emu.target("primary").url,
        FAILOVER_PRIMARY: PRIMARY,
        FAILOVER_BACKUP: BACKUP,
        FAILOVER_STATE_PATH: statePath,
      };
      const synth = await sh(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "examples/cdktf-failover/main.ts")], {
        cwd: ROOT,
        env: synthEnv,
      });
      if (synth.status !== 0) throw new Error(`synth failed:\n${synth.out}`);
      stackDir = path.join(tmp, "cdktf.out", "stacks", "cdktf-failover");
      env = { ...process.env, TF_VAR_runlater_api_key: API_KEY, TF_VAR_cloudflare_api_token: CF_TOKEN, TF_IN_AUTOMATION: "1" };
      const init = await tofu("init", "-input=false", "-no-color");
      if (init.status !== 0) throw new Error(`tofu init failed:\n${init.out}`);
    });

    afterAll(async () => {
      await emu?.close();
      await closeAllPools();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("apply creates the 8 Runlater objects (converge wiring); the next plan is empty (exit 0)", async () => {
      emu.resetStats();
      const apply = await tofu("apply", "-auto-approve", "-input=false", "-no-color");
      expect(apply.out).toMatch(/Apply complete!/);
      expect(apply.status).toBe(0);
      expect(emu.stats().objects).toMatchObject({ tasks: 2, endpoints: 4 });
      expect(emu.monitors()).toHaveLength(2);
      const created = calls();
      // One POST and the provider's read-after-create GET per object, one PATCH per object with
      // write-only fields (the two DNS endpoints' credentials; relay and probe send `{}`).
      console.log(`[tofu e2e ${core}] apply (create) Runlater calls: ${JSON.stringify(created)}`);
      expect(total(created, "POST")).toBe(8);
      expect(total(created, "GET")).toBe(8);
      expect(total(created, "PATCH")).toBe(4);
      const task = healthTask(emu);
      const inbound = emu.endpoints().map((e) => e.inbound_url);
      expect(inbound).toContain(task.on_failure_url);
      expect(inbound).toContain(task.on_recovery_url);
      expect(task.cron_expression).toBe("* * * * *");
      // The DNS endpoints got their credentials from the write-only PATCH.
      const failoverEp = emu.endpoints().find((e) => e.inbound_url === task.on_failure_url) as Record<string, any>;
      expect(JSON.stringify(failoverEp.forward_headers)).toContain(CF_TOKEN);
      emu.resetStats();
      const plan = await tofu("plan", "-detailed-exitcode", "-input=false", "-no-color");
      if (plan.status !== 0) console.log(plan.out);
      expect(plan.status).toBe(0);
      // A no-op plan reads each object once; the PATCH operations make no call on refresh.
      const refreshed = calls();
      console.log(`[tofu e2e ${core}] no-op plan Runlater calls: ${JSON.stringify(refreshed)}`);
      expect(total(refreshed, "GET")).toBe(8);
      expect(Object.keys(refreshed).every((k) => k.startsWith("GET "))).toBe(true);
    });

    it("an out-of-band edit of an endpoint and the task makes plan exit 2; ONE apply repairs it (the next plan exits 0)", async () => {
      const task = healthTask(emu);
      const client = new RunlaterClient({ apiKey: API_KEY, baseUrl: emu.runlaterApiUrl });
      const failoverEp = emu.endpoints().find((e) => e.inbound_url === task.on_failure_url) as Record<string, any>;
      await client.updateEndpoint(String(failoverEp.id), { retryAttempts: 7 });
      await client.updateCronTask(String(task.id), { cron: "*/5 * * * *" });
      expect(healthTask(emu).cron_expression).toBe("*/5 * * * *");
      const plan = await tofu("plan", "-detailed-exitcode", "-input=false", "-no-color");
      expect(plan.status).toBe(2);
      const apply = await tofu("apply", "-auto-approve", "-input=false", "-no-color");
      expect(apply.status).toBe(0);
      expect(healthTask(emu).cron_expression).toBe("* * * * *");
      const repaired = emu.endpoints().find((e) => e.id === failoverEp.id) as Record<string, any>;
      expect(repaired.retry_attempts).toBe(failoverEp.retry_attempts);
      // The repair (a merge patch of the changed fields) leaves the write-only credentials alone.
      expect(JSON.stringify(repaired.forward_headers)).toContain(CF_TOKEN);
      const after = await tofu("plan", "-detailed-exitcode", "-input=false", "-no-color");
      if (after.status !== 0) console.log(after.out);
      expect(after.status).toBe(0);
    });

    it("a changed write-only value (the DNS token) is sent by one apply; the next plan exits 0", async () => {
      const rotated = CF_TOKEN_ROTATED;
      const prev = env.TF_VAR_cloudflare_api_token;
      env.TF_VAR_cloudflare_api_token = rotated;
      try {
        const plan = await tofu("plan", "-detailed-exitcode", "-input=false", "-no-color");
        expect(plan.status).toBe(2);
        expect((await tofu("apply", "-auto-approve", "-input=false", "-no-color")).status).toBe(0);
        const task = healthTask(emu);
        const ep = emu.endpoints().find((e) => e.inbound_url === task.on_failure_url) as Record<string, any>;
        expect(JSON.stringify(ep.forward_headers)).toContain(rotated);
        const after = await tofu("plan", "-detailed-exitcode", "-input=false", "-no-color");
        if (after.status !== 0) console.log(after.out);
        expect(after.status).toBe(0);
      } finally {
        env.TF_VAR_cloudflare_api_token = prev;
        expect((await tofu("apply", "-auto-approve", "-input=false", "-no-color")).status).toBe(0);
      }
    });

    it("the applied loop fails the record over and back; plan stays empty while failed over", async () => {
      await emu.advance(MINUTE);
      expect(content()).toBe(PRIMARY);
      emu.target("primary").set("fail");
      await emu.advance(MINUTE);
      expect(content()).toBe(BACKUP);
      // The GitOps guarantee: while failed over, the next plan wants nothing (the record ignores
      // `content`), so a pipeline run cannot point traffic back at the dead primary.
      const plan = await tofu("plan", "-refresh=true", "-detailed-exitcode", "-input=false", "-no-color");
      if (plan.status !== 0) console.log(plan.out);
      expect(plan.status).toBe(0);
      expect(content()).toBe(BACKUP);
      emu.target("primary").set("ok");
      await emu.advance(MINUTE);
      expect(content()).toBe(PRIMARY);
    });

    it("no plan/apply/show output names an inbound URL, slug or ping URL (they trigger a DNS flip)", async () => {
      const show = await tofu("show", "-no-color");
      expect(show.status).toBe(0);
      expect(show.out).toContain("restful_resource");
      const capabilities = [
        ...emu.endpoints().flatMap((e) => [String(e.inbound_url), String(e.slug)]),
        ...emu.monitors().flatMap((m) => [String(m.ping_url), String(m.ping_token)]),
      ].filter((x) => x.length > 8);
      expect(capabilities.length).toBeGreaterThanOrEqual(8);
      const leaks = logs.flatMap((l) => capabilities.filter((c) => l.out.includes(c)).map((c) => `${l.cmd}: ${c.slice(0, 12)}…`));
      expect(leaks).toEqual([]);
      expect(logs.filter((l) => /^(plan|apply|show)/.test(l.cmd)).length).toBeGreaterThanOrEqual(8);
    });

    it("the state file holds neither the DNS token nor the Runlater key", () => {
      const state = fs.readFileSync(statePath, "utf8");
      expect(state).toContain("restful_resource");
      expect(state).not.toContain(CF_TOKEN);
      expect(state).not.toContain(CF_TOKEN_ROTATED);
      expect(state).not.toContain(API_KEY);
    });

    it("destroy leaves the emulator empty", async () => {
      const d = await tofu("destroy", "-auto-approve", "-input=false", "-no-color");
      expect(d.status).toBe(0);
      expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
    });
  });
});
