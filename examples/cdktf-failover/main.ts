/**
 * DNS failover for a Cloudflare A record with CDK for Terraform (cdktn or cdktf): a Runlater
 * health check on the primary flips the record to the backup when it fails, and back when it
 * recovers.
 *
 * Synthesize and deploy without the cdktf/cdktn CLI:
 *
 *   npm run build                                   # "runlater-iac/cdktf" resolves to dist/
 *   npx ts-node --transpile-only examples/cdktf-failover/main.ts
 *   export TF_VAR_runlater_api_key=pk_live_….sk_live_…  TF_VAR_cloudflare_api_token=…
 *   tofu -chdir=cdktf.out/stacks/cdktf-failover init && tofu -chdir=cdktf.out/stacks/cdktf-failover apply
 *
 * Everything that is not a secret comes from the environment at synth time (see
 * `configFromEnv`); the two secrets are `sensitive` Terraform variables, set at plan/apply time
 * with `TF_VAR_…`, so they never appear in `cdk.tf.json` or in the state. Point `RUNLATER_API_URL`
 * and `CLOUDFLARE_BASE_URL` at the local emulator (`http://127.0.0.1:PORT/api/v1`,
 * `http://127.0.0.1:PORT/client/v4`) to run the whole loop offline.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Construct } from "constructs";
import { CloudflareDnsRecord, CloudflareProvider, cdktfCore, DnsFailover, RestfulProvider } from "runlater-iac/cdktf";

// The App/stack classes come from the same core the bindings resolved (cdktn, else cdktf;
// RUNLATER_CDKTF_CORE forces one). In your own app, `import { App, TerraformStack } from "cdktn"`.
const { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } = cdktfCore();

/** Settings of the example stack. */
export interface FailoverExampleConfig {
  /** Runlater API base URL. @default "https://runlater.eu/api/v1" */
  readonly runlaterApiUrl?: string;
  /** Cloudflare API base URL, for the provider and the stored failover request. @default Cloudflare's */
  readonly cloudflareApiUrl?: string;
  /** Cloudflare zone id (32 hex characters). */
  readonly zoneId: string;
  /**
   * Id of a record managed elsewhere. When set, the stack creates no Cloudflare record and needs
   * no Cloudflare provider: the failover requests target this record id.
   */
  readonly recordId?: string;
  /** Record FQDN. */
  readonly recordName: string;
  /** Primary IPv4 (the record's content while healthy). */
  readonly primary: string;
  /** Backup IPv4. */
  readonly backup: string;
  /** Health URL of the primary. */
  readonly healthUrl: string;
  /** Health check schedule (UTC). */
  readonly cron: string;
  /** Record TTL in seconds. */
  readonly ttl: number;
  /** `auto` or `manual` failback. */
  readonly failback: "auto" | "manual";
  /** Local state file (absolute, so it does not depend on the working directory). */
  readonly statePath: string;
}

/**
 * Reads the settings from the environment: `RUNLATER_API_URL`, `CLOUDFLARE_BASE_URL`,
 * `FAILOVER_ZONE_ID`, `FAILOVER_RECORD_ID` (record managed elsewhere), `FAILOVER_RECORD_NAME`, `FAILOVER_PRIMARY`, `FAILOVER_BACKUP`,
 * `FAILOVER_HEALTH_URL`, `FAILOVER_CRON`, `FAILOVER_TTL`, `FAILOVER_FAILBACK`, `FAILOVER_STATE_PATH`.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverExampleConfig {
  const failback = env.FAILOVER_FAILBACK === "manual" ? "manual" : "auto";
  return {
    runlaterApiUrl: env.RUNLATER_API_URL || undefined,
    cloudflareApiUrl: env.CLOUDFLARE_BASE_URL || undefined,
    zoneId: env.FAILOVER_ZONE_ID || "023e105f4ecef8ad9ca31a8372d0c353",
    recordId: env.FAILOVER_RECORD_ID || undefined,
    recordName: env.FAILOVER_RECORD_NAME || "www.example.com",
    primary: env.FAILOVER_PRIMARY || "198.51.100.10",
    backup: env.FAILOVER_BACKUP || "203.0.113.50",
    healthUrl: env.FAILOVER_HEALTH_URL || "https://primary.example.com/health",
    cron: env.FAILOVER_CRON || "* * * * *",
    ttl: Number(env.FAILOVER_TTL || 60),
    failback,
    statePath: path.resolve(env.FAILOVER_STATE_PATH || path.join(__dirname, "terraform.cdktf-failover.tfstate")),
  };
}

/** The stack: a Cloudflare A record plus the failover wiring on Runlater. */
export class FailoverStack extends TerraformStack {
  constructor(scope: Construct, id: string, cfg: FailoverExampleConfig) {
    super(scope, id);
    new LocalBackend(this, { path: cfg.statePath });

    // Runlater: base_url + `Authorization: Bearer ${var.runlater_api_key}` (created on demand).
    new RestfulProvider(this, "runlater", { baseUrl: cfg.runlaterApiUrl });

    const cloudflareToken = new TerraformVariable(this, "cloudflare_api_token", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: "Cloudflare API token with Zone → DNS → Edit. Set with TF_VAR_cloudflare_api_token.",
    });
    const healthCheck = { url: cfg.healthUrl, cron: cfg.cron, timeoutMs: 10_000, expectedStatusCodes: [200] };
    let recordId: string;
    let failover: DnsFailover;
    if (cfg.recordId) {
      // The record is managed elsewhere: target it by id, no Cloudflare provider needed.
      recordId = cfg.recordId;
      failover = new DnsFailover(this, "www-failover", {
        healthCheck,
        primary: cfg.primary,
        backup: cfg.backup,
        dns: {
          provider: "cloudflare",
          zoneId: cfg.zoneId,
          recordId: cfg.recordId,
          name: cfg.recordName,
          type: "A",
          ttl: cfg.ttl,
          apiToken: cloudflareToken.stringValue,
          apiBaseUrl: cfg.cloudflareApiUrl,
        },
        failback: cfg.failback,
      });
    } else {
      new CloudflareProvider(this, "cloudflare", {
        apiToken: cloudflareToken.stringValue,
        baseUrl: cfg.cloudflareApiUrl,
      });
      const record = new CloudflareDnsRecord(this, "www", {
        zoneId: cfg.zoneId,
        name: cfg.recordName,
        type: "A",
        content: cfg.primary,
        ttl: cfg.ttl,
        proxied: false,
        comment: "managed by runlater-iac: content flips to the backup on failover",
        // Said explicitly here; DnsFailover would add it (with a warning) otherwise.
        lifecycle: { ignoreChanges: ["content"] },
      });
      recordId = record.id;
      failover = new DnsFailover(this, "www-failover", {
        healthCheck,
        primary: cfg.primary,
        backup: cfg.backup,
        record,
        dnsApiToken: cloudflareToken.stringValue,
        failback: cfg.failback,
      });
    }

    new TerraformOutput(this, "record_id", { value: recordId });
    new TerraformOutput(this, "task_id", { value: failover.taskId });
    new TerraformOutput(this, "failover_endpoint_id", { value: failover.failoverEndpoint.endpointId });
    new TerraformOutput(this, "failover_url", { value: failover.failoverUrl, sensitive: true });
    if (failover.recoveryUrl) {
      new TerraformOutput(this, "recovery_url", { value: failover.recoveryUrl, sensitive: true });
    }
  }
}

/** Name of the synthesized stack (folder `cdktf.out/stacks/<name>`). */
export const STACK_NAME = process.env.FAILOVER_STACK_NAME || "cdktf-failover";

if (require.main === module) {
  // App creates its outdir non-recursively; CDKTF_OUTDIR may point into a fresh temp directory.
  if (process.env.CDKTF_OUTDIR) fs.mkdirSync(process.env.CDKTF_OUTDIR, { recursive: true });
  const app = new App();
  new FailoverStack(app, STACK_NAME, configFromEnv());
  app.synth();
}
