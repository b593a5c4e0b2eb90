/**
 * `CloudflareProvider`: minimal hand-written L1 binding of the `cloudflare/cloudflare` provider
 * configuration (v5), so cdktn users need not install the archived `@cdktf/provider-cloudflare`
 * (built on cdktf 0.21; in a cdktn stack it synthesizes only through `enableCdktfBindingsInCdktn`,
 * see `./interop`, and there is no `@cdktn/provider-cloudflare` on npm). Pinned to 5.14.0, the
 * version `@cdktf/provider-cloudflare` 13.9.1 binds, so both bindings can share one stack.
 */
import type { Construct } from "constructs";
import { cdktfCore } from "./core";
import type { TerraformProviderClass } from "./core-types";
import { compact, requireSecretToken } from "./support";

/** Provider source written to `required_providers`. */
export const CLOUDFLARE_PROVIDER_SOURCE = "cloudflare/cloudflare";
/** Exact provider version (what `@cdktf/provider-cloudflare` 13.9.1 pins). */
export const CLOUDFLARE_PROVIDER_VERSION = "5.14.0";
/** Cloudflare's public API base URL. */
export const CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

/** Configuration of {@link CloudflareProvider}. */
export interface CloudflareProviderConfig {
  /**
   * API token (Zone → DNS → Edit for the failover). Must be a token, e.g. a `sensitive`
   * `TerraformVariable`'s `stringValue`; a literal is refused.
   * @default unset: the provider reads `CLOUDFLARE_API_TOKEN` from the environment at plan/apply time
   */
  readonly apiToken?: string;
  /**
   * API base URL. Point it at the local emulator in tests, e.g. `http://127.0.0.1:4010/client/v4`.
   * @default unset: the provider's default (`https://api.cloudflare.com/client/v4`, or `CLOUDFLARE_BASE_URL`)
   */
  readonly baseUrl?: string;
  /** Suffix appended to the provider's User-Agent. @default none */
  readonly userAgentOperatorSuffix?: string;
  /** Provider alias. @default none (the default provider) */
  readonly alias?: string;
}

/** The `cloudflare` provider (v5). */
export class CloudflareProvider extends (cdktfCore().TerraformProvider as TerraformProviderClass) {
  /** Terraform provider type name; used by the testing matchers. */
  static readonly tfResourceType = "cloudflare";

  private readonly config: CloudflareProviderConfig;

  constructor(scope: Construct, id: string, config: CloudflareProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: "cloudflare",
      terraformGeneratorMetadata: {
        providerName: "cloudflare",
        providerVersion: CLOUDFLARE_PROVIDER_VERSION,
      },
      terraformProviderSource: CLOUDFLARE_PROVIDER_SOURCE,
    });
    requireSecretToken(config.apiToken, "apiToken", `CloudflareProvider ${this.node.path}`);
    this.config = config;
    this.alias = config.alias;
  }

  /** The configured API base URL, or undefined for the provider default. */
  get baseUrl(): string | undefined {
    return this.config.baseUrl;
  }

  private _alias?: string;
  /** Provider alias (`restful.<alias>` / `cloudflare.<alias>` in `provider` references). The core's base accessor is a stub every binding overrides. */
  override get alias(): string | undefined {
    return this._alias;
  }
  override set alias(value: string | undefined) {
    this._alias = value;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return compact({
      api_token: this.config.apiToken,
      base_url: this.config.baseUrl,
      user_agent_operator_suffix: this.config.userAgentOperatorSuffix,
    });
  }
}
