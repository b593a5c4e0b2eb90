/**
 * The two functions both engines call: `validateDnsTarget` (before anything is created) and
 * `buildDnsUpdateRequest` (the one stored request). Dispatches on `target.provider`.
 */
import { buildCloudflareRequest, validateCloudflareTarget } from "./cloudflare";
import { DnsInputError, err, show } from "./common";
import { buildDigitalOceanRequest, validateDigitalOceanTarget } from "./digitalocean";
import { buildGenericRequest, validateGenericTarget } from "./generic";
import { buildHetznerRequest, validateHetznerTarget } from "./hetzner";
import { buildPorkbunRequest, validatePorkbunTarget } from "./porkbun";
import type {
  CloudflareDnsTarget,
  DigitalOceanDnsTarget,
  DnsIssue,
  DnsOptions,
  DnsTarget,
  ForwardRequest,
  GenericDnsTarget,
  HetznerDnsTarget,
  PorkbunDnsTarget,
  SupportedDnsProvider,
  UnsupportedDnsProvider,
} from "./types";

/** Providers the adapters build a stored request for. */
export const SUPPORTED_DNS_PROVIDERS: readonly SupportedDnsProvider[] = ["cloudflare", "digitalocean", "hetzner", "porkbun", "generic"];

/**
 * Providers that cannot be driven by one stored static request, with the reason. Their
 * credentials must be computed or refreshed close to send time, so a request stored for a future
 * outage is always expired.
 */
export const UNSUPPORTED_DNS_PROVIDERS: Readonly<Record<UnsupportedDnsProvider, string>> = {
  route53:
    "AWS Route 53 requests must be signed with SigV4: the signature covers an X-Amz-Date timestamp and AWS rejects it after about 5 minutes " +
    "(presigned URLs live at most 7 days, less with STS credentials), so a request stored for a future outage is always expired",
  google:
    "Google Cloud DNS needs an OAuth 2.0 access token, which expires after about 1 hour (a service-account key must be exchanged for a new one " +
    "through a freshly signed JWT; API keys cannot write DNS), so a request stored for a future outage is always expired",
  azure:
    "Azure DNS (ARM) needs a Microsoft Entra ID bearer token, valid for about 60-90 minutes and obtained through a client-credentials exchange " +
    "(there is no static key for ARM), so a request stored for a future outage is always expired",
};

/** The workaround for unsupported providers. */
export const UNSUPPORTED_DNS_WORKAROUND =
  'Workaround: deploy a small relay you control (a Lambda, Cloud Function, Azure Function or Worker) that computes the credential at send time and updates the record, and target it with { provider: "generic", url: <relay URL>, method, headers: { Authorization: "Bearer <relay secret>" }, body }; ' +
  "or move the zone to a provider with static API tokens (Cloudflare, DigitalOcean, Hetzner, Porkbun)";

/** The full rejection message for an unsupported provider. */
export function unsupportedProviderMessage(provider: UnsupportedDnsProvider): string {
  return `${show(provider)} cannot be used for failover: ${UNSUPPORTED_DNS_PROVIDERS[provider]}. ${UNSUPPORTED_DNS_WORKAROUND}`;
}

function isUnsupported(p: unknown): p is UnsupportedDnsProvider {
  return typeof p === "string" && Object.hasOwn(UNSUPPORTED_DNS_PROVIDERS, p);
}

function unknownProviderMessage(p: unknown): string {
  return `must be one of ${SUPPORTED_DNS_PROVIDERS.map((s) => show(s)).join(", ")}, got ${show(p)}`;
}

/**
 * Builds the one static request that sets the record to `content`. Pure string composition:
 * values that are unresolved (CDKTF tokens such as `${TfToken[TOKEN.3]}`, or whatever
 * `opts.isUnresolved` flags) are concatenated verbatim, never parsed; other path segments are
 * URL-encoded. Call `validateDnsTarget` first: this function only throws for targets it cannot
 * build at all (unsupported or unknown provider, legacy Hetzner, generic without url/method).
 */
export function buildDnsUpdateRequest(target: DnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  try {
    return buildFor(target, content, opts);
  } catch (e) {
    if (e instanceof DnsInputError) throw e;
    // A value whose getters or traps throw (Proxies, hostile objects): say where, not what.
    throw new DnsInputError("dns", "could not be read (a property getter or proxy threw); pass plain data");
  }
}

function buildFor(target: DnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  if (target === undefined || target === null || typeof target !== "object") {
    throw new DnsInputError("dns", `is required: an object with a provider (${SUPPORTED_DNS_PROVIDERS.join(", ")}), got ${show(target)}`);
  }
  const provider = (target as { provider?: unknown }).provider;
  switch (provider) {
    case "cloudflare":
      return buildCloudflareRequest(target as CloudflareDnsTarget, content, opts);
    case "digitalocean":
      return buildDigitalOceanRequest(target as DigitalOceanDnsTarget, content, opts);
    case "hetzner":
      return buildHetznerRequest(target as HetznerDnsTarget, content, opts);
    case "porkbun":
      return buildPorkbunRequest(target as PorkbunDnsTarget, content, opts);
    case "generic":
      return buildGenericRequest(target as GenericDnsTarget, content, opts);
    default:
      if (isUnsupported(provider)) throw new DnsInputError("dns.provider", unsupportedProviderMessage(provider));
      throw new DnsInputError("dns.provider", unknownProviderMessage(provider));
  }
}

/**
 * Validates a target and the content it would set (`content` undefined: target only). Returns
 * every finding at once: errors (field-named, with the allowed values) and warnings (failover
 * footguns). Unresolved values are skipped. Messages never contain credentials.
 */
export function validateDnsTarget(target: DnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  try {
    return validateFor(target, content, opts);
  } catch {
    // A value whose getters or traps throw (Proxies, hostile objects): say where, not what.
    return [err("dns", "could not be read (a property getter or proxy threw); pass plain data")];
  }
}

function validateFor(target: DnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  if (target === undefined || target === null || typeof target !== "object") {
    return [err("dns", `is required: an object with a provider (${SUPPORTED_DNS_PROVIDERS.join(", ")}), got ${show(target)}`)];
  }
  const provider = (target as { provider?: unknown }).provider;
  switch (provider) {
    case "cloudflare":
      return validateCloudflareTarget(target as CloudflareDnsTarget, content, opts);
    case "digitalocean":
      return validateDigitalOceanTarget(target as DigitalOceanDnsTarget, content, opts);
    case "hetzner":
      return validateHetznerTarget(target as HetznerDnsTarget, content, opts);
    case "porkbun":
      return validatePorkbunTarget(target as PorkbunDnsTarget, content, opts);
    case "generic":
      return validateGenericTarget(target as GenericDnsTarget, content, opts);
    default:
      if (isUnsupported(provider)) return [err("dns.provider", unsupportedProviderMessage(provider))];
      return [err("dns.provider", unknownProviderMessage(provider))];
  }
}
