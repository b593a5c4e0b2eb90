/**
 * `pulumi up` for real: the Pulumi CLI built by scripts/engines/pulumi.sh drives
 * examples/pulumi-failover through the Automation API against the emulator (file backend,
 * temporary PULUMI_HOME, passphrase secrets). Run with `npm run test:engines`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools, RunlaterClient } from "../../lib/runlater";
import { filesUnder, healthTask, MINUTE, type PulumiTestStack, pulumiStack, ROOT, runlaterWrites } from "./support";

const CLI = process.env.RUNLATER_PULUMI_CLI;
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const API_KEY = "pk_e2e_pulumi.sk_e2e_pulumi_9f8e7d6c5b4a";
const CF_TOKEN = "cf-e2e-token-0123456789abcdef0123456789ab";

const maybe = CLI ? describe : describe.skip;
if (!CLI) console.log("SKIPPED: [pulumi e2e] RUNLATER_PULUMI_CLI is not set; run `npm run test:engines` (builds the Pulumi CLI from Go modules)");

/** The layouts: `perObject` decides which resource changes a Runlater-object change shows as. */
const LAYOUTS = [
  { resources: "compact", perObject: false },
  { resources: "per-object", perObject: true },
] as const;

maybe.each(LAYOUTS)("pulumi up of examples/pulumi-failover against the emulator (resources: $resources)", ({ resources, perObject }) => {
  let emu: Emulator;
  let stack: Stack;
  let work: string;
  let zoneId: string;
  let recordId: string;
  let client: RunlaterClient;
  let ps: PulumiTestStack;
  const content = () => emu.dns("cloudflare").getRecord(zoneId, recordId)?.content;
  const writes = () => runlaterWrites(emu);

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
    const cf = emu.dns("cloudflare");
    zoneId = cf.addZone({ name: "example.com" });
    recordId = cf.addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60, proxied: false });
    emu.target("primary").set("ok");
    client = new RunlaterClient({ apiKey: API_KEY, baseUrl: emu.runlaterApiUrl });

    // A work dir inside the package, so `runlater-iac/pulumi` resolves to this checkout's dist/.
    fs.mkdirSync(path.join(ROOT, ".engines-work"), { recursive: true });
    work = fs.mkdtempSync(path.join(ROOT, ".engines-work", "pulumi-"));
    for (const f of ["Pulumi.yaml", "index.ts"]) fs.copyFileSync(path.join(ROOT, "examples/pulumi-failover", f), path.join(work, f));
    ps = await pulumiStack(work);
    stack = ps.stack;
    await stack.setAllConfig({
      "runlater:apiKey": { value: API_KEY, secret: true },
      "runlater:apiUrl": { value: emu.runlaterApiUrl },
      "runlater:allowPrivateTargets": { value: "true" },
      healthUrl: { value: emu.target("primary").url },
      primary: { value: PRIMARY },
      backup: { value: BACKUP },
      zoneId: { value: zoneId },
      recordId: { value: recordId },
      recordName: { value: "www.example.com" },
      cloudflareApiToken: { value: CF_TOKEN, secret: true },
      cloudflareApiUrl: { value: emu.cloudflareApiUrl },
      resources: { value: resources },
    });
  });

  afterAll(async () => {
    await emu?.close();
    await closeAllPools();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    ps?.cleanup();
  });

  let taskId: string;

  it("up creates exactly the 8 Runlater objects (converge wiring) in 8 calls, with correct outputs", async () => {
    emu.resetStats();
    const res = await stack.up();
    expect(res.summary.result).toBe("succeeded");
    expect(emu.stats().objects).toMatchObject({ tasks: 2, endpoints: 4 });
    expect(writes()).toBe(8);
    taskId = res.outputs.taskId.value;
    const task = healthTask(emu);
    expect(task.id).toBe(taskId);
    const eps = emu.endpoints();
    expect(res.outputs.failoverUrl.secret).toBe(true);
    expect(eps.map((e) => e.inbound_url)).toContain(res.outputs.failoverUrl.value);
    expect(task.on_failure_url).toBe(res.outputs.failoverUrl.value);
    expect(task.on_recovery_url).toBe(res.outputs.recoveryUrl.value);
    expect(task.cron_expression).toBe("* * * * *");
    // What the failover adds to the stored checkpoint (its resources, as the backend stores them):
    // the goal is at most 10 KiB with the default layout (the bench measures both).
    const file = filesUnder(ps.backend).find((f) => f.endsWith(`${path.sep}e2e.json`))!;
    const stored = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: { latest: { resources: { urn: string }[] } } };
    const mine = stored.checkpoint.latest.resources.filter((r) => /::www(-[a-z0-9-]+)?$/.test(r.urn));
    expect(mine).toHaveLength(perObject ? 9 : 2);
    const bytes = mine.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);
    if (!perObject) expect(bytes).toBeLessThanOrEqual(10 * 1024);
  });

  it("a second up changes nothing and writes nothing", async () => {
    emu.resetStats();
    const res = await stack.up();
    const changes = res.summary.resourceChanges ?? {};
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
    expect(writes()).toBe(0);
  });

  it("a preview of a pending change keeps the stack's outputs: taskId is not dropped", async () => {
    await stack.setConfig("cron", { value: "*/2 * * * *" });
    try {
      const pre = await stack.preview({ diff: true });
      expect(pre.changeSummary.update ?? 0).toBeGreaterThanOrEqual(1);
      expect(pre.stdout).toMatch(/cron\s*: "\* \* \* \* \*" => "\*\/2 \* \* \* \*"/);
      // With the ids read from `objects` (also an input name) a preview saw them undefined.
      expect(pre.stdout + pre.stderr).not.toMatch(/Undefined value \(taskId\)/);
      expect(pre.stdout).not.toMatch(/^\s*- taskId/m);
    } finally {
      await stack.removeConfig("cron");
    }
  });

  it("an out-of-band edit shows in preview --refresh and up repairs it", async () => {
    await client.updateCronTask(taskId, { cron: "*/5 * * * *" });
    expect(healthTask(emu).cron_expression).toBe("*/5 * * * *");
    const pre = await stack.preview({ refresh: true });
    expect(pre.changeSummary.update ?? 0).toBeGreaterThanOrEqual(1);
    const res = await stack.up({ refresh: true });
    expect(res.summary.resourceChanges?.update ?? 0).toBeGreaterThanOrEqual(1);
    expect(healthTask(emu).cron_expression).toBe("* * * * *");
  });

  it("an out-of-band delete is dropped by refresh and recreated (and rewired) by up", async () => {
    // Time passes between deploys, as it does in production: the recreate below gets the
    // create's stored idempotency reply back, and the client tells that replay from a fresh
    // create by its age (server Date vs inserted_at, REPLAY_MIN_AGE_MS); with the emulator's
    // clock standing still the two cannot be told apart.
    await emu.advance(MINUTE);
    const failoverEp = emu.endpoints().find((e) => e.inbound_url === healthTask(emu).on_failure_url)!;
    await client.deleteEndpoint(String(failoverEp.id));
    expect(emu.stats().objects.endpoints).toBe(3);
    const ref = await stack.refresh();
    // per-object: the endpoint's resource leaves state; compact: the one resource records it as gone.
    expect(ref.summary.resourceChanges?.[perObject ? "delete" : "update"] ?? 0).toBe(1);
    emu.resetStats();
    const res = await stack.up();
    expect(res.summary.resourceChanges?.[perObject ? "create" : "update"] ?? 0).toBe(1);
    // The endpoint is made again, and the two objects that point at it (the health task's
    // on_failure_url, the relay's forward_urls) are rewired: nothing else is written. per-object
    // posts the create twice: its first POST reuses the original create's idempotency key and gets
    // the deleted endpoint's stored reply back (the client sees it gone and posts with a new key);
    // compact gives a re-created object a key of its own.
    expect(writes()).toBe(perObject ? 4 : 3);
    expect(emu.stats().objects).toMatchObject({ tasks: 2, endpoints: 4 });
    const task = healthTask(emu);
    expect(emu.endpoints().map((e) => e.inbound_url)).toContain(task.on_failure_url);
    expect(task.on_failure_url).not.toBe(failoverEp.inbound_url);
  });

  it("the deployed loop fails the record over and back; preview --refresh stays empty while failed over", async () => {
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
    emu.target("primary").set("fail");
    await emu.advance(MINUTE);
    expect(content()).toBe(BACKUP);
    // While failed over, a refreshed preview wants nothing: a pipeline run cannot undo the flip.
    const pre = await stack.preview({ refresh: true });
    expect(Object.keys(pre.changeSummary).filter((k) => k !== "same")).toEqual([]);
    expect(content()).toBe(BACKUP);
    emu.target("primary").set("ok");
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
  });

  it("switching to the other layout creates its objects, then deletes the old ones; the record is untouched and the loop works", async () => {
    const other = perObject ? "compact" : "per-object";
    const before = [...emu.tasks(), ...emu.endpoints(), ...emu.monitors()].map((o) => String(o.id));
    await stack.setConfig("resources", { value: other });
    emu.resetStats();
    const res = await stack.up();
    expect(res.summary.result).toBe("succeeded");
    // compact → per-object: 8 children made, 1 resource deleted; per-object → compact: the reverse.
    expect(res.summary.resourceChanges).toMatchObject(perObject ? { create: 1, delete: 8 } : { create: 8, delete: 1 });
    expect(writes()).toBe(16); // 8 creates, then 8 deletes
    const after = [...emu.tasks(), ...emu.endpoints(), ...emu.monitors()].map((o) => String(o.id));
    expect(after).toHaveLength(8);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(emu.monitors()).toHaveLength(2);
    expect(content()).toBe(PRIMARY);
    const task = healthTask(emu);
    expect(task.on_failure_url).toBe(res.outputs.failoverUrl.value);
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
    emu.target("primary").set("fail");
    await emu.advance(MINUTE);
    expect(content()).toBe(BACKUP);
    emu.target("primary").set("ok");
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
  });

  it("the state in the backend holds neither the Runlater key nor the DNS token in plaintext", async () => {
    // Automation API's exportStack() runs `stack export --show-secrets`; read what is stored instead.
    const stored = filesUnder(ps.backend).filter((f) => f.endsWith(".json")).map((f) => fs.readFileSync(f, "utf8"));
    // The layout switched in the test before: the other layout's type is what is stored now.
    const now = perObject ? "FailoverObjects" : "ForwardEndpoint";
    expect(stored.some((t) => t.includes(`pulumi-nodejs:dynamic/runlater:${now}`))).toBe(true);
    for (const text of stored) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(CF_TOKEN);
    }
    expect(stored.join("\n")).toContain("ciphertext");
    // The decrypted export does hold them, which proves the search above would have found them.
    const shown = JSON.stringify(await stack.exportStack());
    expect(shown).toContain(CF_TOKEN);
  });

  it("destroy leaves the emulator empty", async () => {
    const res = await stack.destroy();
    expect(res.summary.result).toBe("succeeded");
    expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
    await stack.workspace.removeStack("e2e");
  });
});
