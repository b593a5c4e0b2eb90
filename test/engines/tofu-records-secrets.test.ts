/**
 * The CDKTF side of test/engines/pulumi-records-secrets.test.ts, for real: a project with
 * runlater-iac installed from the packed tarball synthesizes one stack (cdktn), and OpenTofu (built
 * by scripts/engines/tofu.sh) with the magodo/restful provider applies it against the emulator.
 * One stack for both issues:
 *
 * - issue 12 §3: `v46` (an A and an AAAA record, 11 Runlater objects) and `apex` (apex and `www`,
 *   same content: 8 objects), each on its own health target, failed over and back in virtual
 *   time; the next plan is empty (`-detailed-exitcode` 0) and destroy removes everything;
 * - issue 11 §3: the DNS token, the Runlater API key and the credential headers (health check,
 *   a HealthCheckTask and a ForwardEndpoint used directly) are `sensitive` variables, set with
 *   `TF_VAR_…` and sent as restful write-only fields (`ephemeral_body`), then rotated (one apply
 *   sends the new values, the next plan is empty): none of either round is in cdk.tf.json, in
 *   plan/apply/show output or in terraform.tfstate, and the emulator holds each one.
 *
 * Records are seeded in the emulator and targeted by id (the cloudflare provider cannot be built
 * from the Go module proxy; see tofu-e2e.test.ts). Run with `npm run test:engines`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools } from "../../lib/runlater";
import { cleanup as cleanupProjects, project } from "../packaging/support";
import { filesUnder, healthTask, leaks, MINUTE, objectsOf, sh, type ShResult } from "./support";

const TOFU = process.env.RUNLATER_TOFU;
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
/** Secret values, each given only as `TF_VAR_…` and searched for everywhere else. */
const FIRST = {
  taskHeader: "rlTfMarker1TaskHeader4d7a2c9e",
  endpointHeader: "rlTfMarker2EndpointHeader8b3e6f1a",
  healthHeader: "rlTfMarker3HealthHeader1c5f9a7d",
  // The Cloudflare provider's 40-character token format, as tofu-e2e.test.ts uses.
  dnsToken: "rlTfMarker4DnsToken0123456789abcdefABCDE",
  apiKey: "pk_e2e_rlTfMarker5.sk_e2e_rlTfMarker5ApiKey6e2a8c4b",
} as const;
/** The values after a rotation (new `TF_VAR_…` values; the API key stays). */
const ROTATED = {
  ...FIRST,
  taskHeader: "rlTfMarker1RotatedTaskHeader7f3b",
  endpointHeader: "rlTfMarker2RotatedEndpointHeader2c9d",
  healthHeader: "rlTfMarker3RotatedHealthHeader5a1e",
  dnsToken: "rlTfMarker4RotatedDnsToken456789abcdefAB",
} as const;
/** Every marker, both rounds. */
const MARKERS: Record<string, string> = {
  ...FIRST,
  ...Object.fromEntries(Object.entries(ROTATED).filter(([k, v]) => v !== FIRST[k as keyof typeof FIRST]).map(([k, v]) => [`${k} (rotated)`, v])),
};
/** The `TF_VAR_…` settings of one round. */
const tfVars = (m: typeof FIRST | typeof ROTATED) => ({
  TF_VAR_runlater_api_key: m.apiKey,
  TF_VAR_cloudflare_api_token: m.dnsToken,
  TF_VAR_health_auth: `Bearer ${m.healthHeader}`,
  TF_VAR_task_auth: `Bearer ${m.taskHeader}`,
  TF_VAR_endpoint_key: m.endpointHeader,
});
const STACK = "records-secrets";

/** The CDKTF app: non-secret settings from the environment at synth time, secrets as sensitive variables. */
const PROGRAM = `"use strict";
const fs = require("node:fs");
const { DnsFailover, ForwardEndpoint, HealthCheckTask, RestfulProvider, cdktfCore } = require("runlater-iac/cdktf");
const { App, LocalBackend, TerraformStack, TerraformVariable } = cdktfCore();
const e = process.env;
const r = JSON.parse(e.RECORDS);

class RecordsStack extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    new LocalBackend(this, { path: e.STATE_PATH });
    new RestfulProvider(this, "runlater", { baseUrl: e.RUNLATER_API_URL });
    const secret = (name) => new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false }).stringValue;
    const dnsToken = secret("cloudflare_api_token");
    const cf = (zoneId, recordId, name, type) => ({ provider: "cloudflare", zoneId, recordId, name, type, ttl: 60, apiToken: dnsToken, apiBaseUrl: e.CLOUDFLARE_BASE_URL });
    const common = { primary: ${JSON.stringify(PRIMARY)}, backup: ${JSON.stringify(BACKUP)} };
    new DnsFailover(this, "v46", {
      ...common,
      healthCheck: { url: e.HEALTH_V46, headers: { authorization: secret("health_auth") } },
      records: [
        { dns: cf(r.zone46, r.a, "www.example.com", "A") },
        { dns: cf(r.zone46, r.aaaa, "www.example.com", "AAAA"), primary: ${JSON.stringify(V6.primary)}, backup: ${JSON.stringify(V6.backup)} },
      ],
    });
    new DnsFailover(this, "apex", {
      ...common,
      healthCheck: { url: e.HEALTH_APEX },
      records: [{ dns: cf(r.zoneApex, r.apex, "example.org", "A") }, { dns: cf(r.zoneApex, r.www, "www.example.org", "A") }],
    });
    new HealthCheckTask(this, "direct", { url: e.HEALTH_DIRECT, headers: { authorization: secret("task_auth") } });
    new ForwardEndpoint(this, "direct-endpoint", { name: "direct", forwardUrls: [e.FORWARD_DIRECT], forwardHeaders: { "x-api-key": secret("endpoint_key") } });
  }
}

fs.mkdirSync(e.CDKTF_OUTDIR, { recursive: true });
const app = new App();
new RecordsStack(app, ${JSON.stringify(STACK)});
app.synth();
`;

const maybe = TOFU ? describe : describe.skip;
if (!TOFU) console.log("SKIPPED: [tofu records+secrets e2e] RUNLATER_TOFU is not set; run `npm run test:engines` (builds OpenTofu and magodo/restful from Go modules)");

maybe("cdktn synth + tofu apply of several-record failovers and directly used resources (installed from the packed tarball)", () => {
  let emu: Emulator;
  let work: string;
  let stackDir: string;
  let statePath: string;
  let env: NodeJS.ProcessEnv;
  const rec: Record<"a" | "aaaa" | "apex" | "www", { zone: string; id: string }> = {} as never;
  const content = (k: keyof typeof rec) => emu.dns("cloudflare").getRecord(rec[k].zone, rec[k].id)?.content;
  const contents = () => ({ a: content("a"), aaaa: content("aaaa"), apex: content("apex"), www: content("www") });
  const ON_PRIMARY = { a: PRIMARY, aaaa: V6.primary, apex: PRIMARY, www: PRIMARY };
  /** Every synth/init/plan/apply/show/destroy output, searched for the markers at the end. */
  const logs: { label: string; text: string }[] = [];
  const tofu = async (...args: string[]): Promise<ShResult> => {
    const input = args[0] === "show" ? [] : ["-input=false"];
    const r = await sh(TOFU!, [...args, ...input, "-no-color"], { cwd: stackDir, env });
    logs.push({ label: `tofu ${args.join(" ")}`, text: r.out });
    return r;
  };

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [FIRST.apiKey], allowPrivateTargets: true, dns: { cloudflare: { tokens: [FIRST.dnsToken, ROTATED.dnsToken] } } });
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

    const p = project("{}", ["cdktn", "constructs", "dependencies"]);
    work = p.dir;
    p.write("main.js", PROGRAM);
    statePath = path.join(work, "terraform.tfstate");
    const synth = await sh(process.execPath, ["main.js"], {
      cwd: work,
      env: {
        ...process.env,
        RUNLATER_CDKTF_CORE: "cdktn",
        RUNLATER_ALLOW_PRIVATE_TARGETS: "true",
        CDKTF_OUTDIR: path.join(work, "cdktf.out"),
        STATE_PATH: statePath,
        RUNLATER_API_URL: emu.runlaterApiUrl,
        CLOUDFLARE_BASE_URL: emu.cloudflareApiUrl,
        HEALTH_V46: emu.target("v46").url,
        HEALTH_APEX: emu.target("apex").url,
        HEALTH_DIRECT: emu.target("direct").url,
        FORWARD_DIRECT: `${emu.target("direct").url}/hit`,
        RECORDS: JSON.stringify({ zone46, zoneApex, a: rec.a.id, aaaa: rec.aaaa.id, apex: rec.apex.id, www: rec.www.id }),
      },
    });
    logs.push({ label: "synth", text: synth.out });
    if (synth.status !== 0) throw new Error(`synth failed:\n${synth.out}`);
    stackDir = path.join(work, "cdktf.out", "stacks", STACK);
    env = { ...process.env, ...tfVars(FIRST), TF_IN_AUTOMATION: "1" };
    const init = await sh(TOFU!, ["init", "-input=false", "-no-color"], { cwd: stackDir, env });
    logs.push({ label: "tofu init", text: init.out });
    if (init.status !== 0) throw new Error(`tofu init failed:\n${init.out}`);
  });

  afterAll(async () => {
    await emu?.close();
    await closeAllPools();
    cleanupProjects();
  });

  it("apply creates 11 objects for A+AAAA, 8 for apex+www, 1 each direct; the next plan is empty (exit 0)", async () => {
    const apply = await tofu("apply", "-auto-approve");
    if (apply.status !== 0) console.log(apply.out);
    expect(apply.status).toBe(0);
    expect(objectsOf(emu, "v46")).toEqual({ tasks: 2, endpoints: 7, monitors: 2, total: 11 });
    expect(objectsOf(emu, "apex")).toEqual({ tasks: 2, endpoints: 4, monitors: 2, total: 8 });
    expect(emu.stats().objects).toMatchObject({ tasks: 5, endpoints: 12 });
    expect(emu.monitors()).toHaveLength(4);
    expect(contents()).toEqual(ON_PRIMARY);
    const plan = await tofu("plan", "-detailed-exitcode");
    if (plan.status !== 0) console.log(plan.out);
    expect(plan.status).toBe(0);
  });

  it("the secrets went in: the emulator holds every marker", () => {
    expectOnRunlater(FIRST);
  });

  it("rotated secrets (new TF_VAR_ values) are sent by one apply (write-only patches); the next plan is empty", async () => {
    Object.assign(env, tfVars(ROTATED));
    const plan = await tofu("plan", "-detailed-exitcode");
    expect(plan.status).toBe(2);
    const apply = await tofu("apply", "-auto-approve");
    if (apply.status !== 0) console.log(apply.out);
    expect(apply.status).toBe(0);
    expectOnRunlater(ROTATED);
    expect(JSON.stringify(emu.endpoints().map((x) => x.forward_headers))).not.toContain(FIRST.dnsToken);
    const after = await tofu("plan", "-detailed-exitcode");
    if (after.status !== 0) console.log(after.out);
    expect(after.status).toBe(0);
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

  it("apex+www: primary down puts both records on the backup (A+AAAA untouched), up puts them back; plan stays empty", async () => {
    emu.target("apex").set("fail");
    await emu.advance(MINUTE);
    expect(contents()).toEqual({ ...ON_PRIMARY, apex: BACKUP, www: BACKUP });
    emu.target("apex").set("ok");
    await emu.advance(MINUTE);
    expect(contents()).toEqual(ON_PRIMARY);
    const plan = await tofu("plan", "-detailed-exitcode");
    if (plan.status !== 0) console.log(plan.out);
    expect(plan.status).toBe(0);
  });

  /** The emulator holds the values of round `m`: the secrets went in. */
  const expectOnRunlater = (m: typeof FIRST | typeof ROTATED) => {
    expect(JSON.stringify(emu.tasks().find((t) => t.name === "direct")!.headers)).toContain(m.taskHeader);
    expect(JSON.stringify(emu.endpoints().find((x) => x.name === "direct")!.forward_headers)).toContain(m.endpointHeader);
    expect(JSON.stringify(healthTask(emu, "v46").headers)).toContain(m.healthHeader);
    const dnsEndpoints = emu.endpoints().filter((x) => /^(v46|apex) (failover|recovery)/.test(String(x.name)));
    expect(dnsEndpoints).toHaveLength(6);
    for (const x of dnsEndpoints) expect(JSON.stringify(x.forward_headers)).toContain(m.dnsToken);
  };

  it("no marker in cdk.tf.json, terraform.tfstate(.backup), any other project file or any synth/plan/apply/show output", async () => {
    const show = await tofu("show");
    expect(show.status).toBe(0);
    expect(show.out).toContain("restful_resource");
    const state = fs.readFileSync(statePath, "utf8");
    expect(state).toContain("restful_operation");
    // Every file of the project but the installed packages and tofu's provider binaries:
    // cdk.tf.json and the manifest, the lock file, terraform.tfstate and its backup.
    const written = filesUnder(work).filter((f) => !/(^|[\\/])(node_modules|\.terraform)([\\/]|$)/.test(path.relative(work, f)));
    const rel = written.map((f) => path.relative(work, f));
    expect(rel).toEqual(expect.arrayContaining([path.join("cdktf.out", "stacks", STACK, "cdk.tf.json"), "terraform.tfstate", "terraform.tfstate.backup"]));
    const files = written.map((f) => ({ label: path.relative(work, f), text: fs.readFileSync(f, "utf8") }));
    expect(logs.filter((l) => /^tofu (plan|apply|show)/.test(l.label)).length).toBeGreaterThanOrEqual(4);
    expect(leaks([...files, ...logs], MARKERS)).toEqual([]);
  });

  it("destroy leaves the emulator empty", async () => {
    const d = await tofu("destroy", "-auto-approve");
    if (d.status !== 0) console.log(d.out);
    expect(d.status).toBe(0);
    expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
    expect(emu.monitors()).toHaveLength(0);
    expect(leaks([{ label: "destroy", text: d.out }], MARKERS)).toEqual([]);
  });
});
