/**
 * `RestfulProvider`: hand-written L1 binding of the `magodo/restful` provider configuration
 * (schema of v0.25, `docs/index.md`), with Runlater defaults: `base_url` is Runlater's API and
 * the API key goes through `security.http.token` from a `sensitive` variable.
 */
import type { Construct } from "constructs";
import { cdktfCore } from "./core";
import type { TerraformProviderClass } from "./core-types";
import { compact, requireSecretToken, sharedSensitiveVariable, toSnake, verbatim } from "./support";

/** Runlater's public API base URL. */
export const RUNLATER_API_BASE_URL = "https://runlater.eu/api/v1";

/** Provider source and version constraint written to `required_providers`. */
export const RESTFUL_PROVIDER_SOURCE = "magodo/restful";
/** `~> 0.25`: 0.25.x and later 0.x releases (0.25 is the first with `ephemeral_body` + `use_sensitive_output` as used here). */
export const RESTFUL_PROVIDER_VERSION_CONSTRAINT = "~> 0.25";

/** Name of the variable created for the Runlater API key when none is given. */
export const RUNLATER_API_KEY_VARIABLE = "runlater_api_key";

/** `security.http.token`: an `Authorization: <scheme> <token>` header on every request. */
export interface RestfulHttpTokenSecurity {
  /** The token. Must be a token (variable/reference), never a literal. Sensitive in the provider schema. */
  readonly token: string;
  /** The auth scheme. @default "Bearer" */
  readonly scheme?: string;
}

/** `security.http.basic`. */
export interface RestfulHttpBasicSecurity {
  /** The user name. */
  readonly username: string;
  /** Must be a token, never a literal. */
  readonly password: string;
}

/** `security.apikey[*]`: an API key sent in a header, query parameter or cookie. */
export interface RestfulApiKeySecurity {
  /** Where the key goes. */
  readonly in: "header" | "query" | "cookie";
  /** Header, parameter or cookie name. */
  readonly name: string;
  /** The key. Must be a token, never a literal. */
  readonly value: string;
}

/** `security.oauth2.client_credentials`. */
export interface RestfulOauth2ClientCredentials {
  /** The application's id. */
  readonly clientId: string;
  /** The application's secret. Must be a token, never a literal. */
  readonly clientSecret: string;
  /** Token endpoint URL. */
  readonly tokenUrl: string;
  /** Requested scopes. @default none */
  readonly scopes?: string[];
  /** Extra parameters for the token endpoint. @default none */
  readonly endpointParams?: Record<string, string[]>;
  /** How the client id and secret are sent. @default auto-detected */
  readonly in?: "params" | "header";
}

/** The provider's `security` attribute: exactly one scheme. */
export interface RestfulSecurity {
  /** HTTP authentication: a bearer-style token, or basic. */
  readonly http?: { readonly token?: RestfulHttpTokenSecurity; readonly basic?: RestfulHttpBasicSecurity };
  /** API keys in headers, query parameters or cookies. */
  readonly apikey?: RestfulApiKeySecurity[];
  /** OAuth2 (client credentials flow only in this binding). */
  readonly oauth2?: { readonly clientCredentials?: RestfulOauth2ClientCredentials };
}

/** `client.retry`: retries of the HTTP client on the listed status codes. */
export interface RestfulClientRetry {
  /** Status codes that are retried. */
  readonly statusCodes: number[];
  /** Maximum retries. @default 3 (provider default) */
  readonly count?: number;
  /** Initial wait in seconds when there is no `Retry-After` (capped exponential backoff with jitter). @default 1 */
  readonly waitInSec?: number;
  /** Maximum wait in seconds. @default 3600 */
  readonly maxWaitInSec?: number;
}

/** The provider's `client` attribute. */
export interface RestfulClientConfig {
  /** Retry policy. */
  readonly retry?: RestfulClientRetry;
  /** Keep cookies between calls. @default false */
  readonly cookieEnabled?: boolean;
  /** Skip TLS verification (never for production). @default false */
  readonly tlsInsecureSkipVerify?: boolean;
  /** PEM root CAs to trust instead of the system pool. */
  readonly rootCaCertificates?: string[];
}

/**
 * Default `client.retry`: Runlater answers 429 when the per-IP rate limit (300/min) is hit and
 * 503 (`retry-after: 5`) when its database pool is exhausted; neither processed the request.
 */
export const RUNLATER_DEFAULT_RETRY: RestfulClientRetry = { statusCodes: [429, 503], count: 5 };

/** Configuration of {@link RestfulProvider}. */
export interface RestfulProviderConfig {
  /**
   * API base URL; resource paths are relative to it. Point it at the local emulator in tests,
   * e.g. `http://127.0.0.1:4010/api/v1`.
   * @default "https://runlater.eu/api/v1"
   */
  readonly baseUrl?: string;
  /**
   * The Runlater API key (`pk_live_….sk_live_…`), sent as `Authorization: Bearer <key>` through
   * `security.http.token`. Must be a token (e.g. a `sensitive` `TerraformVariable`'s
   * `stringValue`): a literal is refused because it would land in `cdk.tf.json`. Provider
   * configuration is never stored in Terraform state.
   * @default a `sensitive` variable `runlater_api_key` (suffixed `_<alias>` for an aliased provider), set with `TF_VAR_runlater_api_key`
   */
  readonly apiKey?: string;
  /**
   * The full `security` attribute, for APIs other than Runlater. Replaces `apiKey`; every secret
   * leaf (token, password, value, client secret) must be a token.
   * @default derived from `apiKey`
   */
  readonly security?: RestfulSecurity;
  /** Headers sent with every request. @default none */
  readonly header?: Record<string, string>;
  /** Query parameters sent with every request. @default none */
  readonly query?: Record<string, string[]>;
  /** HTTP client options. @default `{ retry: RUNLATER_DEFAULT_RETRY }` (429 and 503 are retried up to 5 times) */
  readonly client?: RestfulClientConfig;
  /** Default create method of resources. @default "POST" (provider default) */
  readonly createMethod?: "POST" | "PUT";
  /** Default update method of resources. @default "PUT" (provider default; the Runlater constructs set PATCH per resource) */
  readonly updateMethod?: "PUT" | "PATCH";
  /** Default delete method of resources. @default "DELETE" (provider default) */
  readonly deleteMethod?: "DELETE" | "POST";
  /** Send the whole body instead of a JSON merge patch on PATCH updates. @default false */
  readonly mergePatchDisabled?: boolean;
  /** Provider alias, for several Runlater organisations in one stack. @default none (the default provider) */
  readonly alias?: string;
}

/**
 * The `restful` provider configured for Runlater.
 *
 * ```ts
 * new RestfulProvider(stack, "runlater", {});                       // var.runlater_api_key
 * new RestfulProvider(stack, "emu", { baseUrl: "http://127.0.0.1:4010/api/v1" });
 * ```
 *
 * Synthesizes `provider.restful` and `terraform.required_providers.restful =
 * { source: "magodo/restful", version: "~> 0.25" }`.
 */
export class RestfulProvider extends (cdktfCore().TerraformProvider as TerraformProviderClass) {
  /** Terraform provider type name; used by the testing matchers. */
  static readonly tfResourceType = "restful";

  /** The base URL as configured. */
  readonly baseUrl: string;
  private readonly security: RestfulSecurity;
  private readonly config: RestfulProviderConfig;

  constructor(scope: Construct, id: string, config: RestfulProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: "restful",
      terraformGeneratorMetadata: {
        providerName: "restful",
        providerVersionConstraint: RESTFUL_PROVIDER_VERSION_CONSTRAINT,
      },
      terraformProviderSource: RESTFUL_PROVIDER_SOURCE,
    });
    const owner = `RestfulProvider ${this.node.path}`;
    this.config = config;
    this.alias = config.alias;
    this.baseUrl = config.baseUrl ?? RUNLATER_API_BASE_URL;
    if (!cdktfCore().Token.isUnresolved(this.baseUrl) && !/^https?:\/\/[^/\s]+/.test(this.baseUrl)) {
      throw new Error(`${owner}: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(this.baseUrl)}`);
    }
    if (config.security && config.apiKey !== undefined) {
      throw new Error(`${owner}: give either apiKey or security, not both`);
    }
    if (config.security) {
      checkSecuritySecrets(config.security, owner);
      this.security = config.security;
    } else {
      requireSecretToken(config.apiKey, "apiKey", owner);
      const varName = config.alias ? `${RUNLATER_API_KEY_VARIABLE}_${config.alias}` : RUNLATER_API_KEY_VARIABLE;
      const key =
        config.apiKey ??
        sharedSensitiveVariable(this, varName, `Runlater API key (pk_live_….sk_live_…). Set with TF_VAR_${varName}; never commit it.`);
      this.security = { http: { token: { token: key } } };
    }
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
    const c = this.config;
    return compact({
      base_url: this.baseUrl,
      security: securityToTerraform(this.security),
      header: verbatim(c.header),
      query: verbatim(c.query),
      client: toSnake(c.client ?? { retry: RUNLATER_DEFAULT_RETRY }),
      create_method: c.createMethod,
      update_method: c.updateMethod,
      delete_method: c.deleteMethod,
      merge_patch_disabled: c.mergePatchDisabled,
    });
  }
}

function securityToTerraform(s: RestfulSecurity): Record<string, unknown> {
  const cc = s.oauth2?.clientCredentials;
  return compact({
    http: s.http ? toSnake(s.http) : undefined,
    apikey: s.apikey?.map((k) => ({ in: k.in, name: k.name, value: k.value })),
    oauth2: cc
      ? {
          client_credentials: compact({
            client_id: cc.clientId,
            client_secret: cc.clientSecret,
            token_url: cc.tokenUrl,
            scopes: cc.scopes,
            endpoint_params: verbatim(cc.endpointParams), // user keys: not snake-cased
            in: cc.in,
          }),
        }
      : undefined,
  });
}

function checkSecuritySecrets(s: RestfulSecurity, owner: string): void {
  requireSecretToken(s.http?.token?.token, "security.http.token.token", owner);
  requireSecretToken(s.http?.basic?.password, "security.http.basic.password", owner);
  s.apikey?.forEach((k, i) => {
    requireSecretToken(k.value, `security.apikey[${i}].value`, owner);
  });
  requireSecretToken(s.oauth2?.clientCredentials?.clientSecret, "security.oauth2.clientCredentials.clientSecret", owner);
}
