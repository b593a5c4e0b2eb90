/**
 * `cdktn deploy` / `cdktn destroy` themselves (cdktn-cli, the maintained fork of cdktf-cli) on
 * examples/cdktf-failover, with OpenTofu from scripts/engines/tofu.sh as the Terraform binary
 * (`tofu-offline`: `providers lock` reads the offline mirror). cdktn-cli's bundled undici needs
 * Node >= 22, so on older Node this prints SKIPPED.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools } from "../../lib/runlater";
import { ROOT, sh } from "./support";

const CLI = process.env.RUNLATER_CDKTN_CLI;
const TOFU = process.env.RUNLATER_TOFU;
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const API_KEY = "pk_e2e_cdktn.sk_e2e_cdktn_77aa88bb99cc";
const CF_TOKEN = "cfE2eCdktnToken0123456789abcdefABCDEF012";

const reason = !CLI || !TOFU ? "RUNLATER_CDKTN_CLI / RUNLATER_TOFU not set (run `npm run test:engines`)" : NODE_MAJOR < 22 ? `cdktn-cli needs Node >= 22, this is ${process.version}` : "";
if (reason) console.log(`SKIPPED: [cdktn deploy] ${reason}`);
const maybe = reason ? describe.skip : describe;

maybe("cdktn deploy of examples/cdktf-failover against the emulator", () => {
  let emu: Emulator;
  let work: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let zoneId: string;
  let recordId: string;

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
    zoneId = emu.dns("cloudflare").addZone({ name: "example.com" });
    recordId = emu.dns("cloudflare").addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60 });
    fs.mkdirSync(path.join(ROOT, ".engines-work"), { recursive: true });
    work = fs.mkdtempSync(path.join(ROOT, ".engines-work", "cdktn-"));
    for (const f of ["cdktf.json", "main.ts"]) fs.copyFileSync(path.join(ROOT, "examples/cdktf-failover", f), path.join(work, f));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "rl-cdktn-"));
    env = {
      ...process.env,
      CI: "1",
      RUNLATER_CDKTF_CORE: "cdktn",
      TERRAFORM_BINARY_NAME: path.join(path.dirname(TOFU!), "tofu-offline"),
      RUNLATER_API_URL: emu.runlaterApiUrl,
      CLOUDFLARE_BASE_URL: emu.cloudflareApiUrl,
      RUNLATER_ALLOW_PRIVATE_TARGETS: "true",
      FAILOVER_ZONE_ID: zoneId,
      FAILOVER_RECORD_ID: recordId,
      FAILOVER_HEALTH_URL: emu.target("primary").url,
      FAILOVER_PRIMARY: PRIMARY,
      FAILOVER_BACKUP: BACKUP,
      FAILOVER_STATE_PATH: path.join(stateDir, "terraform.tfstate"),
      TF_VAR_runlater_api_key: API_KEY,
      TF_VAR_cloudflare_api_token: CF_TOKEN,
    };
  });

  afterAll(async () => {
    await emu?.close();
    await closeAllPools();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("deploy creates the wiring, the loop flips the record, destroy removes it", async () => {
    const deploy = await sh(CLI!, ["deploy", "--auto-approve"], { cwd: work, env });
    if (deploy.status !== 0) console.log(deploy.out);
    expect(deploy.status).toBe(0);
    expect(emu.stats().objects).toMatchObject({ tasks: 2, endpoints: 4 });
    expect(deploy.out).not.toContain(CF_TOKEN);
    expect(deploy.out).not.toContain(API_KEY);

    emu.target("primary").set("fail");
    await emu.advance(60_000);
    expect(emu.dns("cloudflare").getRecord(zoneId, recordId)?.content).toBe(BACKUP);
    emu.target("primary").set("ok");
    await emu.advance(60_000);
    expect(emu.dns("cloudflare").getRecord(zoneId, recordId)?.content).toBe(PRIMARY);

    const destroy = await sh(CLI!, ["destroy", "--auto-approve"], { cwd: work, env });
    if (destroy.status !== 0) console.log(destroy.out);
    expect(destroy.status).toBe(0);
    expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
  });
});
