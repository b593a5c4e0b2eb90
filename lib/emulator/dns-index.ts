/**
 * The DNS provider emulators the emulator server mounts: Cloudflare (`/client/v4`), DigitalOcean
 * (`/v2`), Hetzner Cloud (`/v1`), Porkbun (`/api/json/v3`) and the generic capture target
 * (`/_generic`). Each keeps its own in-memory store; see the classes for seeding helpers.
 */
import { CloudflareEmulator, type CloudflareEmulatorOptions } from "./dns-cloudflare";
import { DigitalOceanEmulator, type DigitalOceanEmulatorOptions } from "./dns-digitalocean";
import { GenericCaptureEmulator, type GenericCaptureOptions } from "./dns-generic";
import { HetznerEmulator, type HetznerEmulatorOptions } from "./dns-hetzner";
import { PorkbunEmulator, type PorkbunEmulatorOptions } from "./dns-porkbun";

export * from "./dns-cloudflare";
export * from "./dns-digitalocean";
export * from "./dns-generic";
export * from "./dns-hetzner";
export * from "./dns-porkbun";
export { type DnsEmulatorBaseOptions, type DnsFaultKind, FaultQueue } from "./dns-util";

/** Options of {@link createDnsEmulators}. Per-provider `now` overrides the shared one. */
export interface DnsEmulatorsOptions {
  /** Clock shared by every provider (pass the emulator's virtual clock). @default () => new Date() */
  now?: () => Date;
  cloudflare?: CloudflareEmulatorOptions;
  digitalocean?: DigitalOceanEmulatorOptions;
  hetzner?: HetznerEmulatorOptions;
  porkbun?: PorkbunEmulatorOptions;
  generic?: GenericCaptureOptions;
}

/** The emulators returned by {@link createDnsEmulators}, in mount order. */
export type DnsEmulatorSet = [CloudflareEmulator, DigitalOceanEmulator, HetznerEmulator, PorkbunEmulator, GenericCaptureEmulator];

/**
 * One emulator per provider, in the order Cloudflare, DigitalOcean, Hetzner, Porkbun, generic.
 * Find one by id with `emulators.find((e) => e.id === "cloudflare")`.
 */
export function createDnsEmulators(options: DnsEmulatorsOptions = {}): DnsEmulatorSet {
  const withNow = <T extends { now?: () => Date }>(o: T | undefined): T => ({ ...(o ?? ({} as T)), now: o?.now ?? options.now });
  const set: DnsEmulatorSet = [
    new CloudflareEmulator(withNow(options.cloudflare)),
    new DigitalOceanEmulator(withNow(options.digitalocean)),
    new HetznerEmulator(withNow(options.hetzner)),
    new PorkbunEmulator(withNow(options.porkbun)),
    new GenericCaptureEmulator(withNow(options.generic)),
  ];
  return set;
}
