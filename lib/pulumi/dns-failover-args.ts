/**
 * The arguments of `DnsFailover` (Pulumi) and what it reports (`summary`): every prop with its
 * units, defaults and limits. The component is `dns-failover.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DnsTarget } from "../dns";
import type { FailoverLatch, FailoverWiring } from "../failover/plan";
import type { HttpMethod } from "../runlater/model";

/** Health check of a failover (inputs). */
export interface DnsFailoverHealthCheckArgs {
  /** The primary's health URL, e.g. `https://primary.example.com/health`. */
  url: pulumi.Input<string>;
  /** Five-field cron, UTC. @default "* * * * *" (every minute; needs Runlater Pro) */
  cron?: pulumi.Input<string>;
  /** Timeout per check in milliseconds, 1000..300000; keep it under 30000. @default 10000 */
  timeoutMs?: pulumi.Input<number>;
  /** Status codes that count as healthy (100..599). @default [200] */
  expectedStatusCodes?: pulumi.Input<number[]>;
  /** HTTP method of the check. @default "GET" */
  method?: pulumi.Input<HttpMethod>;
  /** Substring the healthy response body must contain. @default no body check */
  expectedBodyPattern?: pulumi.Input<string>;
  /** Headers sent with each check. @default {} */
  headers?: pulumi.Input<Record<string, string>>;
}

/**
 * A Cloudflare DNS record: a managed `@pulumi/cloudflare` `DnsRecord` (pass the resource) or
 * plain values for a record managed elsewhere.
 */
export interface CloudflareRecordRef {
  /** Record id (`DnsRecord.id`). Use `recordId` when passing plain values. */
  id?: pulumi.Input<string>;
  /** Record id for records managed elsewhere. */
  recordId?: pulumi.Input<string>;
  /** Zone id. */
  zoneId: pulumi.Input<string>;
  /** FQDN (needed for PUT). */
  name?: pulumi.Input<string>;
  /** "A" (default), "AAAA" or "CNAME". */
  type?: pulumi.Input<string>;
  /** Seconds; 1 = automatic. Checked against the failover's needs (≤ 300 recommended). */
  ttl?: pulumi.Input<number>;
  /** Whether Cloudflare proxies the record (then TTL is automatic). */
  proxied?: pulumi.Input<boolean | undefined>;
}

/** Cloudflare API settings for the stored request. */
export interface CloudflareAccessArgs {
  /** API token with Zone → DNS → Edit. Secret; stored only inside the Runlater endpoints. */
  apiToken: pulumi.Input<string>;
  /** `PATCH` sends only `content` (keeps ttl/proxied/comment); `PUT` overwrites the record. @default "PATCH" */
  method?: "PATCH" | "PUT";
  /** API base URL (the emulator's for tests). @default "https://api.cloudflare.com/client/v4" */
  apiBaseUrl?: pulumi.Input<string>;
}

/**
 * One record of a failover of several records (`DnsFailoverArgs.records`): `record` (a
 * Cloudflare record, with the failover's `cloudflare` access) or `dns` (any provider).
 */
export interface DnsFailoverRecordArgs {
  /** A Cloudflare record (managed resource or plain values); uses the failover's `cloudflare` settings. */
  record?: CloudflareRecordRef;
  /** Any supported DNS target, credentials included (as `DnsFailoverArgs.dns`). */
  dns?: pulumi.Input<DnsTarget>;
  /** This record's content while the primary is healthy (e.g. the IPv6 address of an AAAA record). @default the failover's `primary` */
  primary?: pulumi.Input<string>;
  /** This record's content after a failover. @default the failover's `backup` */
  backup?: pulumi.Input<string>;
}

/** Arguments of {@link DnsFailover}. Give one DNS target (`record` + `cloudflare`, or `dns`), or `records`. */
export interface DnsFailoverArgs {
  /** The health check on the primary. */
  healthCheck: DnsFailoverHealthCheckArgs;
  /** Record content while the primary is healthy (an IP for A/AAAA). Required unless every one of `records` has its own. */
  primary?: pulumi.Input<string>;
  /** Record content after a failover. Required unless every one of `records` has its own. */
  backup?: pulumi.Input<string>;
  /** A Cloudflare record (managed resource or plain values). */
  record?: CloudflareRecordRef;
  /** Cloudflare credentials and request style; required with `record`. */
  cloudflare?: CloudflareAccessArgs;
  /**
   * Any supported DNS target (DigitalOcean, Hetzner Cloud, Porkbun, generic REST, or
   * Cloudflare in plain form), credentials included. Mark it `pulumi.secret(...)`; the
   * component re-wraps derived values as secret anyway.
   */
  dns?: pulumi.Input<DnsTarget>;
  /**
   * Several records driven by this one health check (1..8), instead of `record`/`dns`: apex and
   * `www`, an A and an AAAA record. Records whose stored requests share method, headers and body
   * (same provider, token and content, values known at construction or the very same `Output`)
   * share one failover and one recovery endpoint; others get their own (see the README,
   * "Several records"). Must be a plain array.
   */
  records?: DnsFailoverRecordArgs[];
  /** `auto`: recovery puts the primary back; `manual`: no recovery endpoint or hook. @default "auto" */
  failback?: "auto" | "manual";
  /**
   * How the Runlater objects are wired (see the README's "Convergence" section):
   * `converge` survives lost, duplicated and late messages (8 objects for one record); `edge` is runlater-iac
   * 0.1 (3 objects); `seed` is the seed guide as written. @default "converge"
   */
  wiring?: FailoverWiring;
  /**
   * Forward retries of the stored DNS request, 0..10: of the recovery request with `converge`
   * (its failover request never retries), of both with `edge`/`seed`. @default 5 (converge), 3
   */
  retryAttempts?: number;
  /** The `converge` wiring's heartbeat latch (re-asserts the primary when failure signals stop). */
  latch?: FailoverLatch;
  /** Runlater org notifications (email/Slack/Discord) when the health check fails. @default true */
  notifyOnFailure?: boolean;
  /** Runlater org notifications when the health check recovers. @default true */
  notifyOnRecovery?: boolean;
  /**
   * How the failover's Runlater objects are kept in Pulumi state (same objects, API calls,
   * validation and drift repair either way).
   * - `compact`: one `FailoverObjects` child manages them all: about 9 KiB of state per failover
   *   with the `converge` wiring (2 resources). `preview --diff` marks the changed field inside `objects`.
   *   `children`, `healthCheck` and the endpoint properties are not available; use `objects`,
   *   `taskId`, `failoverUrl` and `recoveryUrl`.
   * - `per-object`: one child per Runlater object (`HealthCheckTask`, `ForwardEndpoint`,
   *   `HeartbeatMonitor`), reachable as `children`: about 28 KiB per failover (9 resources).
   *
   * Switching an existing failover creates the new layout's objects (new inbound URLs) and
   * deletes the old ones in the same `pulumi up`; DNS records are not touched. Stacks deployed
   * before `compact` became the default keep their objects with `resources: "per-object"`.
   * @default "compact"
   */
  resources?: "per-object" | "compact";
  /**
   * What to do when `record` is a managed resource whose `ignoreChanges` lacks `"content"`
   * (the next deploy would undo a failover): `error` refuses, `warn` logs. @default "error"
   */
  recordGuard?: "error" | "warn";
}

/** What `DnsFailover.summary` holds. */
export interface DnsFailoverSummary {
  /** The check: URL, cron (UTC) and timeout (ms). */
  healthCheck: { url: string; cron: string; timeoutMs: number };
  /** DNS provider of the record. */
  dnsProvider: string;
  /** The failover request, e.g. `PATCH → record := backup`. */
  failover: string;
  /** The recovery request, or `manual`. */
  recovery: string;
  /** The wiring. */
  wiring: FailoverWiring;
  /** Records the failover changes. */
  records: number;
  /** Stored failover requests (endpoints) and recovery requests (0 with manual failback). */
  failoverEndpoints: number;
  recoveryEndpoints: number;
  /** Runlater objects the failover consists of (one record, converge: 8, or 5 with manual failback; edge/seed: 3 or 2). */
  runlaterObjects: number;
  /** Runlater executions per 30-day month while the primary is healthy (Pro includes 1,000,000). */
  executionsPerMonthHealthy: number;
}
