/**
 * Test helpers for the operations commands: deploy a failover (the library's plan, created with
 * the Runlater client) on the emulator for any DNS provider, and a virtual-time clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DnsTarget } from "../../lib/dns";
import type { Emulator } from "../../lib/emulator";
import { type AppliedObject, applyPlan } from "../../lib/failover/apply";
import { type FailoverWiring, type PlanObjectKey, planFailover } from "../../lib/failover/plan";
import type { OpsClock } from "../../lib/ops/clock";
import { abortError } from "../../lib/ops/clock";
import { RunlaterClient } from "../../lib/runlater";

export const PRIMARY = "198.51.100.10";
export const BACKUP = "203.0.113.50";
export const MINUTE = 60_000;

/** The emulator's virtual clock as an {@link OpsClock}: sleeping advances emulator time. */
export function virtualClock(emu: Emulator): OpsClock {
  return {
    now: () => emu.now().getTime(),
    async sleep(ms, signal) {
      if (signal?.aborted) throw abortError();
      await emu.advance(ms);
      if (signal?.aborted) throw abortError();
    },
  };
}

/** A client on the emulator that never waits in real time between retries. */
export function clientFor(emu: Emulator): RunlaterClient {
  return new RunlaterClient({ apiKey: emu.apiKey, baseUrl: emu.runlaterApiUrl, retry: { maxAttempts: 1 }, sleep: async () => undefined });
}

let zoneSeq = 0;

/** Seeds a record at a provider; returns the target and a reader of its content in the emulator store. */
export function seedRecord(emu: Emulator, provider: "cloudflare" | "digitalocean" | "hetzner" | "porkbun" | "generic"): { dns: DnsTarget; fqdn: string; content(): string | undefined } {
  const n = ++zoneSeq;
  switch (provider) {
    case "cloudflare": {
      const zone = `cf${n}.example.com`;
      const cf = emu.dns("cloudflare");
      const zoneId = cf.addZone({ name: zone });
      const recordId = cf.addRecord(zoneId, { name: `www.${zone}`, type: "A", content: PRIMARY, ttl: 60 });
      return {
        dns: { provider, zoneId, recordId, apiToken: "cf-test-token", apiBaseUrl: emu.cloudflareApiUrl },
        fqdn: `www.${zone}`,
        content: () => cf.getRecord(zoneId, recordId)?.content,
      };
    }
    case "digitalocean": {
      const zone = `do${n}.example.org`;
      const d = emu.dns("digitalocean");
      d.addDomain(zone);
      const id = d.addRecord(zone, { name: "www", data: PRIMARY, ttl: 60 });
      return {
        dns: { provider, domain: zone, recordId: id, name: "www", type: "A", apiToken: "do-test-token", apiBaseUrl: emu.digitaloceanApiUrl },
        fqdn: `www.${zone}`,
        content: () => d.getRecord(zone, id)?.data,
      };
    }
    case "hetzner": {
      const zone = `hz${n}.example.net`;
      const h = emu.dns("hetzner");
      h.addZone(zone);
      h.addRRSet(zone, { name: "www", type: "A", ttl: 60, records: [PRIMARY] });
      return {
        dns: { provider, zone, name: "www", type: "A", apiToken: "hz-test-token", apiBaseUrl: emu.hetznerApiUrl },
        fqdn: `www.${zone}`,
        content: () => h.getRRSet(zone, "www", "A")?.records.map((r) => r.value).join(","),
      };
    }
    case "porkbun": {
      const zone = `pb${n}.example.dev`;
      const p = emu.dns("porkbun");
      p.addDomain(zone);
      p.addRecord(zone, { name: "www", type: "A", content: PRIMARY, ttl: 600 });
      return {
        dns: { provider, domain: zone, subdomain: "www", type: "A", apiKey: "pk1_test", secretApiKey: "sk1_test", apiBaseUrl: emu.porkbunApiUrl },
        fqdn: `www.${zone}`,
        content: () => p.findRecords(zone, "A", "www")[0]?.content,
      };
    }
    case "generic":
      return {
        dns: { provider, url: `${emu.genericUrl}/records/www${n}`, method: "PUT", headers: { Authorization: "Bearer generic-secret" }, body: { content: "{{content}}" } },
        fqdn: `www${n}.generic.test`,
        content: () => undefined,
      };
  }
}

/** A deployed failover. */
export interface Deployed {
  name: string;
  taskId: string;
  failoverId: string;
  recoveryId: string;
  healthUrl: string;
  fqdn: string;
  /** Ids of every object created, by role. */
  objects: Map<PlanObjectKey, AppliedObject>;
  content(): string | undefined;
  /** Sets the built-in health target's mode. */
  health(mode: "ok" | "fail"): void;
}

/**
 * Deploys a failover named `name` on the emulator with the library's plan (health = a built-in
 * target). `edge` (default here: hooks only, forwards without retries) or `converge` (its
 * latches are the emulator's heartbeat monitors).
 */
export async function deploy(
  emu: Emulator,
  client: RunlaterClient,
  name: string,
  provider: Parameters<typeof seedRecord>[1] = "cloudflare",
  wiring: FailoverWiring = "edge",
): Promise<Deployed> {
  const rec = seedRecord(emu, provider);
  const target = emu.target(`${name}-primary`);
  target.set("ok");
  const plan = planFailover({ name, healthCheck: { url: target.url, timeoutMs: 5000 }, primary: PRIMARY, backup: BACKUP, dns: rec.dns, wiring, ...(wiring === "edge" ? { retryAttempts: 0 } : {}) });
  if (plan.errors.length > 0) throw new Error(JSON.stringify(plan.errors));
  const objects = await applyPlan(plan, planTarget(client));
  return {
    name,
    taskId: objects.get("health")!.id,
    failoverId: objects.get("failover")!.id,
    recoveryId: objects.get("recovery")!.id,
    healthUrl: target.url,
    fqdn: rec.fqdn,
    objects,
    content: rec.content,
    health: (mode) => target.set(mode),
  };
}

/** The plan target of a client (monitors included). */
export function planTarget(client: RunlaterClient) {
  return {
    createEndpoint: (spec: Parameters<RunlaterClient["createEndpoint"]>[0]) => client.createEndpoint(spec),
    createTask: (spec: Parameters<RunlaterClient["createCronTask"]>[0]) => client.createCronTask(spec),
    createMonitor: (spec: Parameters<RunlaterClient["createMonitor"]>[0]) => client.createMonitor(spec),
  };
}

export const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };

/** A deployed failover of several Cloudflare records. */
export interface DeployedMulti {
  name: string;
  taskId: string;
  objects: Map<PlanObjectKey, AppliedObject>;
  /** Per record: its FQDN, type, primary, backup, and a reader of its content in the emulator store. */
  records: { fqdn: string; type: "A" | "AAAA"; primary: string; backup: string; content(): string | undefined }[];
  health(mode: "ok" | "fail"): void;
}

/**
 * Deploys one failover of several records of one Cloudflare zone with the library's plan:
 * `a+aaaa` (www A and www AAAA: two failover and two recovery endpoints, a restore fan-out) or
 * `apex+www` (two A records sharing one failover and one recovery endpoint). Converge by default.
 */
export async function deployMulti(emu: Emulator, client: RunlaterClient, name: string, set: "a+aaaa" | "apex+www", wiring: FailoverWiring = "converge"): Promise<DeployedMulti> {
  const zone = `multi${++zoneSeq}.example.com`;
  const cf = emu.dns("cloudflare");
  const zoneId = cf.addZone({ name: zone });
  const specs =
    set === "a+aaaa"
      ? [
          { fqdn: `www.${zone}`, type: "A" as const, primary: PRIMARY, backup: BACKUP },
          { fqdn: `www.${zone}`, type: "AAAA" as const, ...V6 },
        ]
      : [
          { fqdn: zone, type: "A" as const, primary: PRIMARY, backup: BACKUP },
          { fqdn: `www.${zone}`, type: "A" as const, primary: PRIMARY, backup: BACKUP },
        ];
  const recs = specs.map((r) => {
    const recordId = cf.addRecord(zoneId, { name: r.fqdn, type: r.type, content: r.primary, ttl: 60 });
    return { ...r, recordId, content: () => cf.getRecord(zoneId, recordId)?.content };
  });
  const target = emu.target(`${name}-primary`);
  target.set("ok");
  const plan = planFailover({
    name,
    healthCheck: { url: target.url, timeoutMs: 5000 },
    primary: PRIMARY,
    backup: BACKUP,
    records: recs.map((r) => ({
      dns: { provider: "cloudflare", zoneId, recordId: r.recordId, apiToken: "cf-test-token", apiBaseUrl: emu.cloudflareApiUrl, type: r.type, name: r.fqdn, patchContentOnly: true },
      primary: r.primary,
      backup: r.backup,
    })),
    wiring,
    ...(wiring === "edge" ? { retryAttempts: 0 } : {}),
  });
  if (plan.errors.length > 0) throw new Error(JSON.stringify(plan.errors));
  const objects = await applyPlan(plan, planTarget(client));
  return { name, taskId: objects.get("health")!.id, objects, records: recs.map(({ recordId: _, ...r }) => r), health: (mode) => target.set(mode) };
}

/** A temp directory removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "runlater-ops-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
