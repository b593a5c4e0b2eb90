/**
 * `CloudflareDnsRecord`: minimal hand-written L1 binding of `cloudflare_dns_record` (provider
 * v5 schema; the v4 `cloudflare_record` with `value` no longer exists). Covers what a failover
 * record needs; use `addOverride` for `data`/`settings`.
 */
import type { IResolvable, TerraformMetaArguments, TerraformResourceClass } from "./core-types";
import type { Construct } from "constructs";
import { CLOUDFLARE_PROVIDER_VERSION } from "./cloudflare-provider";
import { cdktfCore } from "./core";
import { compact, metaArguments } from "./support";

/** Configuration of {@link CloudflareDnsRecord} (v5 attribute names in camelCase). */
export interface CloudflareDnsRecordConfig extends TerraformMetaArguments {
  /** Zone identifier (32 hex characters). */
  readonly zoneId: string;
  /** Record name (or `@` for the apex) in Punycode, e.g. `www.example.com`. */
  readonly name: string;
  /** Record type, e.g. `A`, `AAAA`, `CNAME`. */
  readonly type: string;
  /**
   * Time to live in seconds: 60..86400 (30.. on Enterprise zones), or 1 for "automatic"
   * (Cloudflare picks, 300 s for unproxied records). Required in v5. Use 60 for a failover record.
   */
  readonly ttl: number;
  /** Record content, e.g. an IPv4 address for `A`. */
  readonly content?: string;
  /** Proxy through Cloudflare (then the TTL is automatic). @default false (provider default) */
  readonly proxied?: boolean;
  /** Free-text comment; no effect on DNS. @default none */
  readonly comment?: string;
  /** Tags (`name:value`); no effect on DNS. @default none */
  readonly tags?: string[];
  /** Required for MX, SRV and URI records; unused by others. @default none */
  readonly priority?: number;
}

/** A Cloudflare DNS record (`cloudflare_dns_record`, provider v5). */
export class CloudflareDnsRecord extends (cdktfCore().TerraformResource as TerraformResourceClass) {
  /** Terraform resource type; used by the testing matchers. */
  static readonly tfResourceType = "cloudflare_dns_record";

  private readonly config: CloudflareDnsRecordConfig;

  constructor(scope: Construct, id: string, config: CloudflareDnsRecordConfig) {
    super(scope, id, {
      terraformResourceType: "cloudflare_dns_record",
      terraformGeneratorMetadata: { providerName: "cloudflare", providerVersion: CLOUDFLARE_PROVIDER_VERSION },
      ...metaArguments(config),
    });
    this.config = config;
  }

  /** Record identifier (computed). */
  get id(): string {
    return this.getStringAttribute("id");
  }
  /** `${cloudflare_dns_record.x.zone_id}` */
  get zoneId(): string {
    return this.getStringAttribute("zone_id");
  }
  /** `${cloudflare_dns_record.x.name}` */
  get name(): string {
    return this.getStringAttribute("name");
  }
  /** `${cloudflare_dns_record.x.type}` */
  get type(): string {
    return this.getStringAttribute("type");
  }
  /** `${cloudflare_dns_record.x.content}` */
  get content(): string {
    return this.getStringAttribute("content");
  }
  /** `${cloudflare_dns_record.x.ttl}` (a number token). */
  get ttl(): number {
    return this.getNumberAttribute("ttl");
  }
  /** `${cloudflare_dns_record.x.proxied}` */
  get proxied(): IResolvable {
    return this.getBooleanAttribute("proxied");
  }
  /** `${cloudflare_dns_record.x.proxiable}` (computed). */
  get proxiable(): IResolvable {
    return this.getBooleanAttribute("proxiable");
  }
  /** `${cloudflare_dns_record.x.created_on}` (computed). */
  get createdOn(): string {
    return this.getStringAttribute("created_on");
  }
  /** `${cloudflare_dns_record.x.modified_on}` (computed). */
  get modifiedOn(): string {
    return this.getStringAttribute("modified_on");
  }

  /** The configured zone id (literal or token), as the generated bindings' `zoneIdInput`. */
  get zoneIdInput(): string {
    return this.config.zoneId;
  }
  /** The configured name. */
  get nameInput(): string {
    return this.config.name;
  }
  /** The configured type. */
  get typeInput(): string {
    return this.config.type;
  }
  /** The configured TTL. */
  get ttlInput(): number {
    return this.config.ttl;
  }
  /** The configured content. */
  get contentInput(): string | undefined {
    return this.config.content;
  }
  /** The configured proxied flag. */
  get proxiedInput(): boolean | undefined {
    return this.config.proxied;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return compact({
      zone_id: c.zoneId,
      name: c.name,
      type: c.type,
      content: c.content,
      ttl: c.ttl,
      proxied: c.proxied,
      comment: c.comment,
      tags: c.tags,
      priority: c.priority,
    });
  }
}
