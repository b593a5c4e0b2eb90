/**
 * `pulumi up` for real (the Pulumi CLI built by scripts/engines/pulumi.sh, Automation API, file
 * backend, passphrase secrets) of a project that has runlater-iac installed from the packed
 * tarball, against the emulator. One program and one stack for both issues:
 *
 * - issue 12 §3, one failover of several records: `v46` (an A and an AAAA record, 11 Runlater
 *   objects) and `apex` (apex and `www`, same content: 8 objects), each on its own health target,
 *   failed over and back in virtual time; a second `up` is a no-op, destroy leaves nothing;
 * - issue 11 §3, secrets out of state: `HealthCheckTask.headers` and
 *   `ForwardEndpoint.forwardHeaders` given directly and in plain text, the component's
 *   `healthCheck.headers`, a DNS token in plain text (v46) and one from secret config (apex),
 *   and the Runlater API key (secret config); the plain ones are then rotated (one `up`, 8 Runlater
 *   writes, 3 in-place resource updates: v46 keeps its objects in one `FailoverObjects`, the
 *   default; apex uses `resources: "per-object"`). None of either round is in the file backend, in `pulumi stack
 *   export` or in what the CLI printed; `stack export --show-secrets` has them (the API key in
 *   the default pulumi-nodejs provider's inputs, where Pulumi puts the stack config).
 *
 * Run with `npm run test:engines`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools, RunlaterClient } from "../../lib/runlater";
import { cleanup as cleanupProjects, project } from "../packaging/support";
import { filesUnder, healthTask, leaks, MINUTE, objectsOf, type PulumiTestStack, pulumiStack, runlaterWrites, sh } from "./support";

const CLI = process.env.RUNLATER_PULUMI_CLI;
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
/** Secret values, each written once into the program or the stack config and searched for everywhere else. */
const FIRST = {
  taskHeader: "rlMarker1TaskHeader9b2f4e7a",
  endpointHeader: "rlMarker2EndpointHeader5c8d1a3f",
  healthHeader: "rlMarker3HealthHeader2e6b9d4c",
  dnsTokenPlain: "rlMarker4DnsTokenPlain7a1c5e8b",
  dnsTokenSecret: "rlMarker4DnsTokenSecret3f9e2d6a",
  apiKey: "pk_e2e_rlMarker5.sk_e2e_rlMarker5ApiKey8d4b1f7c",
} as const;
/** The values after a rotation (config `round: 2`): the plain ones in the program change. */
const ROTATED = {
  ...FIRST,
  taskHeader: "rlMarker1RotatedTaskHeader4a8c",
  endpointHeader: "rlMarker2RotatedEndpointHeader6e1b",
  healthHeader: "rlMarker3RotatedHealthHeader9d3f",
  dnsTokenPlain: "rlMarker4RotatedDnsTokenPlain2b7e",
} as const;
/** A header value set on Runlater out of band (drift). */
const DRIFT = "rlMarker6OutOfBandHeader3c7e";
/** Every marker, both rounds and the drift. */
const MARKERS: Record<string, string> = {
  ...FIRST,
  drift: DRIFT,
  ...Object.fromEntries(Object.entries(ROTATED).filter(([k, v]) => v !== FIRST[k as keyof typeof FIRST]).map(([k, v]) => [`${k} (rotated)`, v])),
};

/** The program: every secret marker except the two from config is a plain value in it. */
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { DnsFailover, ForwardEndpoint, HealthCheckTask } = require("runlater-iac/pulumi");
const c = new pulumi.Config();
const r = c.requireObject("records");
const apiBaseUrl = c.require("cloudflareApiUrl");
const round2 = c.get("round") === "2";
const m = (first, rotated) => (round2 ? rotated : first);
const primary = ${JSON.stringify(PRIMARY)};
const backup = ${JSON.stringify(BACKUP)};

// An A and an AAAA record of www (different contents); the DNS token in plain text, and a
// credential header on the health check, both kept out of state by the library.
const v46 = new DnsFailover("v46", {
  healthCheck: { url: c.require("healthV46"), headers: { authorization: "Bearer " + m(${JSON.stringify(FIRST.healthHeader)}, ${JSON.stringify(ROTATED.healthHeader)}) } },
  primary,
  backup,
  cloudflare: { apiToken: m(${JSON.stringify(FIRST.dnsTokenPlain)}, ${JSON.stringify(ROTATED.dnsTokenPlain)}), apiBaseUrl },
  records: [
    { record: { zoneId: r.zone46, recordId: r.a, name: "www.example.com", type: "A", ttl: 60 } },
    { record: { zoneId: r.zone46, recordId: r.aaaa, name: "www.example.com", type: "AAAA", ttl: 60 }, primary: ${JSON.stringify(V6.primary)}, backup: ${JSON.stringify(V6.backup)} },
  ],
});

// Apex and www with the same content and token: one shared failover and recovery endpoint.
// v46 keeps its objects in one resource (the default, resources: "compact"), apex in one each.
const apex = new DnsFailover("apex", {
  resources: "per-object",
  healthCheck: { url: c.require("healthApex") },
  primary,
  backup,
  cloudflare: { apiToken: c.requireSecret("cloudflareApiToken"), apiBaseUrl },
  records: [
    { record: { zoneId: r.zoneApex, recordId: r.apex, name: "example.org", ttl: 60 } },
    { record: { zoneId: r.zoneApex, recordId: r.www, name: "www.example.org", ttl: 60 } },
  ],
});

// The resources used directly, credentials in plain text.
new HealthCheckTask("direct", { url: c.require("healthDirect"), headers: { authorization: "Bearer " + m(${JSON.stringify(FIRST.taskHeader)}, ${JSON.stringify(ROTATED.taskHeader)}) } });
new ForwardEndpoint("direct", { forwardUrls: [c.require("forwardDirect")], forwardHeaders: { "x-api-key": m(${JSON.stringify(FIRST.endpointHeader)}, ${JSON.stringify(ROTATED.endpointHeader)}) } });

exports.v46 = v46.summary;
exports.apex = apex.summary;
`;

const maybe = CLI ? describe : describe.skip;
if (!CLI) console.log("SKIPPED: [pulumi records+secrets e2e] RUNLATER_PULUMI_CLI is not set; run `npm run test:engines` (builds the Pulumi CLI from Go modules)");

maybe("pulumi up of several-record failovers and directly used resources (installed from the packed tarball)", () => {
  let emu: Emulator;
  let ps: PulumiTestStack;
  let stack: Stack;
  let work: string;
  const rec: Record<"a" | "aaaa" | "apex" | "www", { zone: string; id: string }> = {} as never;
  /** Everything the CLI printed (Automation API stdout and stderr of every command). */
  const printed: { label: string; text: string }[] = [];
  const content = (k: keyof typeof rec) => emu.dns("cloudflare").getRecord(rec[k].zone, rec[k].id)?.content;
  const contents = () => ({ a: content("a"), aaaa: content("aaaa"), apex: content("apex"), www: content("www") });
  const ON_PRIMARY = { a: PRIMARY, aaaa: V6.primary, apex: PRIMARY, www: PRIMARY };

  beforeAll(async () => {
    emu = await startEmulator({
      apiKeys: [FIRST.apiKey],
      allowPrivateTargets: true,
      dns: { cloudflare: { tokens: [FIRST.dnsTokenPlain, ROTATED.dnsTokenPlain, FIRST.dnsTokenSecret] } },
    });
    const cf = emu.dns("cloudflare");
    const zone46 = cf.addZone({ name: "example.com" });
    const zoneApex = cf.addZone({ name: "example.org" });
    const add = (zone: string, name: string, type: "A" | "AAAA", value: string) => ({ zone, id: cf.addRecord(zone, { name, type, content: value, ttl: 60, proxied: false }) });
    Object.assign(rec, {
      a: add(zone46, "www.example.com", "A", PRIMARY),
      aaaa: add(zone46, "www.example.com", "AAAA", V6.primary),
      apex: add(zoneApex, "example.org", "A", PRIMARY),
      www: add(zoneApex, "www.example.org", "A", PRIMARY),
    });
    for (const t of ["v46", "apex", "direct"]) emu.target(t).set("ok");

    const p = project("{}", ["@pulumi/pulumi", "dependencies"]);
    work = p.dir;
    p.write("Pulumi.yaml", "name: rl-records-secrets\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
    p.write("index.js", PROGRAM);
    ps = await pulumiStack(work);
    stack = ps.stack;
    await stack.setAllConfig({
      "runlater:apiKey": { value: FIRST.apiKey, secret: true },
      "runlater:apiUrl": { value: emu.runlaterApiUrl },
      "runlater:allowPrivateTargets": { value: "true" },
      cloudflareApiToken: { value: FIRST.dnsTokenSecret, secret: true },
      cloudflareApiUrl: { value: emu.cloudflareApiUrl },
      healthV46: { value: emu.target("v46").url },
      healthApex: { value: emu.target("apex").url },
      healthDirect: { value: emu.target("direct").url },
      forwardDirect: { value: `${emu.target("direct").url}/hit` },
      records: { value: JSON.stringify({ zone46, zoneApex, a: rec.a.id, aaaa: rec.aaaa.id, apex: rec.apex.id, www: rec.www.id }) },
    });
  });

  afterAll(async () => {
    await emu?.close();
    await closeAllPools();
    ps?.cleanup();
    cleanupProjects();
  });

  it("up (with --diff) creates 11 objects for A+AAAA, 8 for apex+www, 1 each direct, one write per object", async () => {
    emu.resetStats();
    const res = await stack.up({ diff: true });
    printed.push({ label: "up --diff", text: res.stdout + res.stderr });
    expect(res.summary.result).toBe("succeeded");
    expect(objectsOf(emu, "v46")).toEqual({ tasks: 2, endpoints: 7, monitors: 2, total: 11 });
    expect(objectsOf(emu, "apex")).toEqual({ tasks: 2, endpoints: 4, monitors: 2, total: 8 });
    expect(emu.stats().objects).toMatchObject({ tasks: 5, endpoints: 12 });
    expect(emu.monitors()).toHaveLength(4);
    expect(runlaterWrites(emu)).toBe(21);
    expect(res.outputs.v46.value).toMatchObject({ records: 2, failoverEndpoints: 2, recoveryEndpoints: 2, runlaterObjects: 11 });
    expect(res.outputs.apex.value).toMatchObject({ records: 2, failoverEndpoints: 1, recoveryEndpoints: 1, runlaterObjects: 8 });
    expect(contents()).toEqual(ON_PRIMARY);
  });

  it("rotating the plain credentials (round 2) updates only the objects that carry them, in place", async () => {
    await stack.setConfig("round", { value: "2" });
    emu.resetStats();
    const res = await stack.up({ diff: true });
    printed.push({ label: "rotation up --diff", text: res.stdout + res.stderr });
    expect(res.summary.result).toBe("succeeded");
    const changes = res.summary.resourceChanges ?? {};
    expect(Object.keys(changes).filter((k) => k !== "same" && k !== "update")).toEqual([]);
    // Resources: direct task + endpoint, and v46's one FailoverObjects (compact); apex is untouched
    // (its token comes from config). Runlater writes: the direct two, and v46's health, probe
    // (health headers), failover ×2, recovery ×2 (DNS token).
    expect(changes.update).toBe(3);
    expect(runlaterWrites(emu)).toBe(8);
    expect(objectsOf(emu, "v46").total + objectsOf(emu, "apex").total).toBe(19);
  });

  it("A+AAAA: primary down puts both records on their backups (apex+www untouched), up puts them back", async () => {
    await emu.advance(MINUTE);
    expect(contents()).toEqual(ON_PRIMARY);
    emu.target("v46").set("fail");
    await emu.advance(MINUTE);
    expect(contents()).toEqual({ ...ON_PRIMARY, a: BACKUP, aaaa: V6.backup });
    emu.target("v46").set("ok");
    await emu.advance(MINUTE);
    expect(contents()).toEqual(ON_PRIMARY);
  });

  it("apex+www: primary down puts both records on the backup (A+AAAA untouched), up puts them back", async () => {
    emu.target("apex").set("fail");
    await emu.advance(MINUTE);
    expect(contents()).toEqual({ ...ON_PRIMARY, apex: BACKUP, www: BACKUP });
    emu.target("apex").set("ok");
    await emu.advance(MINUTE);
    expect(contents()).toEqual(ON_PRIMARY);
  });

  it("an out-of-band change of a secret field shows in preview --refresh --diff as [secret]; up --refresh puts the program's value back", async () => {
    const client = new RunlaterClient({ apiKey: FIRST.apiKey, baseUrl: emu.runlaterApiUrl });
    const direct = emu.tasks().find((t) => t.name === "direct")!;
    await client.updateCronTask(String(direct.id), { headers: { authorization: `Bearer ${DRIFT}` } });
    // The same drift on the health check inside v46's FailoverObjects (compact layout).
    await client.updateCronTask(String(healthTask(emu, "v46").id), { headers: { authorization: `Bearer ${DRIFT}` } });
    const pre = await sh(CLI!, ["preview", "--refresh", "--diff", "--stack", "e2e", "--non-interactive"], { cwd: work, env: ps.env });
    printed.push({ label: "preview --refresh --diff", text: pre.out });
    expect(pre.status).toBe(0);
    expect(pre.out).toMatch(/~ pulumi-nodejs:dynamic\/runlater:HealthCheckTask: \(update\)/);
    expect(pre.out).toMatch(/~ pulumi-nodejs:dynamic\/runlater:FailoverObjects: \(update\)/);
    expect(pre.out).toMatch(/headers\s*: \[secret\]/);
    expect(pre.out).toMatch(/2 to update/);
    const res = await stack.up({ refresh: true, diff: true });
    printed.push({ label: "up --refresh --diff", text: res.stdout + res.stderr });
    expect(res.summary.resourceChanges?.update).toBe(2);
    expect(JSON.stringify(emu.tasks().find((t) => t.name === "direct")!.headers)).toContain(ROTATED.taskHeader);
    expect(JSON.stringify(healthTask(emu, "v46").headers)).toContain(ROTATED.healthHeader);
  });

  it("a second up changes nothing and writes nothing", async () => {
    emu.resetStats();
    const res = await stack.up({ diff: true });
    printed.push({ label: "second up --diff", text: res.stdout + res.stderr });
    const changes = res.summary.resourceChanges ?? {};
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
    expect(runlaterWrites(emu)).toBe(0);
  });

  it("the markers went in: Runlater holds them and `stack export --show-secrets` shows them", async () => {
    const direct = emu.tasks().find((t) => t.name === "direct")!;
    expect(JSON.stringify(direct.headers)).toContain(ROTATED.taskHeader);
    expect(JSON.stringify(emu.endpoints().find((e) => e.name === "direct")!.forward_headers)).toContain(ROTATED.endpointHeader);
    expect(JSON.stringify(healthTask(emu, "v46").headers)).toContain(ROTATED.healthHeader);
    const forwarded = JSON.stringify(emu.endpoints().map((e) => e.forward_headers));
    expect(forwarded).toContain(ROTATED.dnsTokenPlain);
    expect(forwarded).not.toContain(FIRST.dnsTokenPlain);
    expect(forwarded).toContain(ROTATED.dnsTokenSecret);
    const shown = await sh(CLI!, ["stack", "export", "--stack", "e2e", "--show-secrets"], { cwd: work, env: ps.env });
    expect(shown.status).toBe(0);
    const all = Object.keys(ROTATED).map((k) => `export --show-secrets: ${k}`);
    expect(leaks([{ label: "export --show-secrets", text: shown.out }], ROTATED).sort()).toEqual(all.sort());
    // The API key (and every other stack config value) is in the inputs of the default
    // pulumi-nodejs provider: Pulumi >= 3.139 hands dynamic providers the stack config that way.
    // It keeps its secretness there, so it is stored encrypted (checked in the next test).
    const deployment = JSON.parse(shown.out).deployment as { resources: { type: string; inputs?: Record<string, unknown> }[] };
    const holders = deployment.resources.filter((r) => JSON.stringify(r).includes(FIRST.apiKey)).map((r) => r.type);
    expect(holders).toEqual(["pulumi:providers:pulumi-nodejs"]);
  });

  it("no marker in the file backend, in `pulumi stack export`, in the stack config or in anything the CLI printed", async () => {
    const stored = filesUnder(ps.backend).map((f) => ({ label: path.relative(ps.backend, f), text: fs.readFileSync(f, "utf8") }));
    const stacks = stored.filter((s) => s.label.endsWith(".json") && s.text.includes("pulumi-nodejs:dynamic/runlater:ForwardEndpoint"));
    expect(stacks.length).toBeGreaterThanOrEqual(1);
    expect(stored.map((s) => s.text).join("\n")).toContain("ciphertext");
    const exported = await sh(CLI!, ["stack", "export", "--stack", "e2e"], { cwd: work, env: ps.env });
    expect(exported.status).toBe(0);
    expect(exported.out).toContain("runlater:index:DnsFailover");
    const config = { label: "Pulumi.e2e.yaml", text: fs.readFileSync(path.join(work, "Pulumi.e2e.yaml"), "utf8") };
    expect(printed.length).toBeGreaterThanOrEqual(2);
    expect(leaks([...stored, { label: "stack export", text: exported.out }, config, ...printed], MARKERS)).toEqual([]);
  });

  it("destroy leaves the emulator empty", async () => {
    const res = await stack.destroy();
    expect(res.summary.result).toBe("succeeded");
    expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
    expect(emu.monitors()).toHaveLength(0);
    expect(leaks([{ label: "destroy", text: res.stdout + res.stderr }], MARKERS)).toEqual([]);
    await stack.workspace.removeStack("e2e");
  });
});
