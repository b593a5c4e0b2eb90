/**
 * What the emulator's DNS server answers: a read-only view of the DNS provider emulators' zones
 * (Cloudflare, DigitalOcean, Hetzner, Porkbun) as resource records, and the authoritative answer
 * to one question (NOERROR with answers, NODATA, NXDOMAIN, REFUSED outside the zones).
 *
 * The view is rebuilt from each provider's `snapshot()` (the same data `--state FILE` persists),
 * so a record changed through a provider API is answered with its new content at once.
 */
import type { DnsProviderEmulator } from "./types";

/** One resource record as the DNS server serves it. */
export interface ServedRecord {
  /** Owner name: FQDN, lower-case, no trailing dot (`www.example.com`, `*.example.com`). */
  name: string;
  /** Upper-case type: `A`, `AAAA`, `CNAME`, `TXT`, `MX`, `NS` (other types are not served). */
  type: string;
  /** Seconds the answer may be cached (the record's TTL; provider defaults applied). */
  ttl: number;
  /** RDATA: an address, a host name (FQDN, no trailing dot), TXT text, or `{preference, exchange}` for MX. */
  data: string | { preference: number; exchange: string };
}

/** One zone as the DNS server serves it. */
export interface ServedZone {
  /** Zone apex, lower-case, no trailing dot. */
  name: string;
  /** Provider emulator id holding it (`cloudflare`, …). */
  provider: string;
  records: ServedRecord[];
}

/** Types the server answers. */
export const SERVED_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "NS"] as const;
/** TTL (s) of the synthesized SOA and of negative answers (RFC 2308 minimum). */
export const NEGATIVE_TTL = 60;
/** Cloudflare's "automatic" TTL (`ttl: 1`, and every proxied record), seconds. */
const CLOUDFLARE_AUTO_TTL = 300;
/** Provider order when two providers hold a zone of the same name: the first wins. */
const PROVIDER_ORDER = ["cloudflare", "digitalocean", "hetzner", "porkbun"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const lower = (n: string) => n.toLowerCase().replace(/\.$/, "");

/** `@`/`""` → apex, FQDN inside the zone kept, other relative names joined to the zone. */
function ownerName(name: string, zone: string): string {
  const n = lower(name.trim());
  if (n === "" || n === "@") return zone;
  if (n === zone || n.endsWith(`.${zone}`)) return n;
  return `${n}.${zone}`;
}

/**
 * A host name in RDATA. `zoneFile`: zone-file form (Hetzner): absolute only with a trailing dot,
 * else relative to the zone. Otherwise (Cloudflare, DigitalOcean, Porkbun) a name with a dot is
 * absolute and `@` is the apex.
 */
function target(value: string, zone: string, zoneFile: boolean): string {
  const v = value.trim();
  if (v === "@" || v === "") return zone;
  if (v.endsWith(".")) return lower(v);
  if (zoneFile || !v.includes(".")) return `${lower(v)}.${zone}`;
  return lower(v);
}

/** TXT value in zone-file form (`"a" "b"`) → its text; unquoted values pass through. */
function txtText(value: string): string {
  const parts = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  return parts.length > 0 ? parts.join("") : value;
}

function record(name: string, type: string, ttl: number, value: string, zone: string, opts: { zoneFile: boolean; prio?: number }): ServedRecord | undefined {
  const t = type.toUpperCase();
  if (!(SERVED_TYPES as readonly string[]).includes(t)) return undefined;
  let data: ServedRecord["data"] = value.trim();
  if (t === "CNAME" || t === "NS") data = target(value, zone, opts.zoneFile);
  else if (t === "TXT") data = opts.zoneFile ? txtText(value) : value;
  else if (t === "MX") {
    const m = /^(\d+)\s+(\S+)$/.exec(value.trim());
    data = m ? { preference: Number(m[1]), exchange: target(m[2]!, zone, opts.zoneFile) } : { preference: opts.prio ?? 10, exchange: target(value, zone, opts.zoneFile) };
  }
  return { name, type: t, ttl: Math.max(0, Math.floor(ttl)), data };
}

function cloudflareZones(s: Obj): ServedZone[] {
  return arr(s.zones).filter(isObj).map((z) => {
    const zone = lower(str(z.name));
    const records = arr(s.records)
      .filter(isObj)
      .filter((r) => r.zone_id === z.id)
      .map((r) => {
        const ttl = r.proxied === true || Number(r.ttl) === 1 ? CLOUDFLARE_AUTO_TTL : Number(r.ttl);
        const prio = typeof r.priority === "number" ? r.priority : undefined;
        return record(ownerName(str(r.name), zone), str(r.type), ttl, str(r.content), zone, { zoneFile: false, prio });
      });
    return { name: zone, provider: "cloudflare", records: records.filter((r): r is ServedRecord => !!r) };
  });
}

function digitaloceanZones(s: Obj): ServedZone[] {
  const recs = isObj(s.records) ? s.records : {};
  return arr(s.domains).filter(isObj).map((d) => {
    const zone = lower(str(d.name));
    const records = arr(recs[zone])
      .filter(isObj)
      .map((r) => record(ownerName(str(r.name), zone), str(r.type), Number(r.ttl ?? d.ttl), str(r.data), zone, { zoneFile: false, prio: typeof r.priority === "number" ? r.priority : undefined }));
    return { name: zone, provider: "digitalocean", records: records.filter((r): r is ServedRecord => !!r) };
  });
}

function hetznerZones(s: Obj): ServedZone[] {
  return arr(s.zones).filter(isObj).map((z) => {
    const zone = lower(str(z.name));
    const records: ServedRecord[] = [];
    for (const rr of arr(s.rrsets).filter(isObj)) {
      if (rr.zone !== z.id) continue;
      const ttl = rr.ttl === null || rr.ttl === undefined ? Number(z.ttl ?? 3600) : Number(rr.ttl);
      for (const v of arr(rr.records).filter(isObj)) {
        const r = record(ownerName(str(rr.name), zone), str(rr.type), ttl, str(v.value), zone, { zoneFile: true });
        if (r) records.push(r);
      }
    }
    return { name: zone, provider: "hetzner", records };
  });
}

function porkbunZones(s: Obj): ServedZone[] {
  const recs = isObj(s.records) ? s.records : {};
  return arr(s.domains).filter(isObj).map((d) => {
    const zone = lower(str(d.name));
    const records = arr(recs[zone])
      .filter(isObj)
      .map((r) => record(ownerName(str(r.name), zone), str(r.type), Number(r.ttl), str(r.content), zone, { zoneFile: false, prio: Number(r.prio) || undefined }));
    return { name: zone, provider: "porkbun", records: records.filter((r): r is ServedRecord => !!r) };
  });
}

const READERS: Record<string, (s: Obj) => ServedZone[]> = {
  cloudflare: cloudflareZones,
  digitalocean: digitaloceanZones,
  hetzner: hetznerZones,
  porkbun: porkbunZones,
};

/**
 * The zones of the given provider emulators, read from their `snapshot()`. Providers without
 * zones (the generic capture target) contribute nothing. When two providers hold a zone of the
 * same name, the first in the order Cloudflare, DigitalOcean, Hetzner, Porkbun is served.
 */
export function servedZones(emulators: readonly DnsProviderEmulator[]): ServedZone[] {
  const out = new Map<string, ServedZone>();
  const sorted = [...emulators].filter((e) => READERS[e.id]).sort((a, b) => PROVIDER_ORDER.indexOf(a.id) - PROVIDER_ORDER.indexOf(b.id));
  for (const e of sorted) {
    const snap = e.snapshot();
    if (!isObj(snap)) continue;
    for (const z of READERS[e.id]!(snap)) if (z.name && !out.has(z.name)) out.set(z.name, z);
  }
  return [...out.values()];
}

/** Response code of an answer. */
export type AnswerRcode = "NOERROR" | "NXDOMAIN" | "REFUSED";

/** The authoritative answer to one question. */
export interface DnsAnswer {
  rcode: AnswerRcode;
  /** False for REFUSED (the name is in none of the zones). */
  authoritative: boolean;
  /** Answer section, in order (CNAME chain first). Names as asked for the first hop. */
  answers: ServedRecord[];
  /** The zone's SOA: in the authority section for NXDOMAIN/NODATA, in the answer section when `soaIsAnswer`. */
  soaIsAnswer?: boolean;
  soa?: { zone: string; ttl: number; mname: string; rname: string; serial: number; minimum: number };
}

/** Longest zone containing `name`. */
function zoneOf(zones: readonly ServedZone[], name: string): ServedZone | undefined {
  let best: ServedZone | undefined;
  for (const z of zones) if ((name === z.name || name.endsWith(`.${z.name}`)) && (!best || z.name.length > best.name.length)) best = z;
  return best;
}

function soaOf(zone: ServedZone): NonNullable<DnsAnswer["soa"]> {
  return { zone: zone.name, ttl: NEGATIVE_TTL, mname: `ns1.${zone.name}`, rname: `hostmaster.${zone.name}`, serial: 1, minimum: NEGATIVE_TTL };
}

/** Records owned by `name`, or by the wildcard of its closest encloser when `name` does not exist. */
function nodeRecords(zone: ServedZone, name: string): { exists: boolean; records: ServedRecord[] } {
  const own = zone.records.filter((r) => r.name === name);
  const nodeExists = (n: string) => zone.records.some((r) => r.name === n || r.name.endsWith(`.${n}`));
  if (own.length > 0 || nodeExists(name)) return { exists: true, records: own };
  // Closest encloser: the longest existing ancestor (the apex always exists).
  let encloser = name;
  do encloser = encloser.slice(encloser.indexOf(".") + 1);
  while (encloser !== zone.name && encloser.includes(".") && !nodeExists(encloser));
  const wild = zone.records.filter((r) => r.name === `*.${encloser}`).map((r) => ({ ...r, name }));
  return { exists: wild.length > 0, records: wild };
}

/**
 * Answers `qname`/`qtype` (`ANY` = every served type) from the zones. CNAMEs are followed inside
 * the zones (at most 8 hops); an unsupported `qtype` on an existing name is NODATA.
 */
export function answerQuestion(zones: readonly ServedZone[], qname: string, qtype: string): DnsAnswer {
  let name = lower(qname);
  const type = qtype.toUpperCase();
  const first = zoneOf(zones, name);
  if (!first) return { rcode: "REFUSED", authoritative: false, answers: [] };
  const answers: ServedRecord[] = [];
  let zone = first;
  for (let hop = 0; hop < 9; hop++) {
    const node = nodeRecords(zone, name);
    if (!node.exists) return { rcode: hop === 0 ? "NXDOMAIN" : "NOERROR", authoritative: true, answers, soa: soaOf(zone) };
    const cname = node.records.find((r) => r.type === "CNAME");
    if (cname && type !== "CNAME" && type !== "ANY") {
      answers.push(cname);
      const next = zoneOf(zones, cname.data as string);
      if (!next || hop === 8) return { rcode: "NOERROR", authoritative: true, answers };
      name = cname.data as string;
      zone = next;
      continue;
    }
    if (type === "SOA" && name === zone.name) return { rcode: "NOERROR", authoritative: true, answers, soa: soaOf(zone), soaIsAnswer: true };
    const match = node.records.filter((r) => type === "ANY" || r.type === type);
    answers.push(...match);
    return match.length > 0 ? { rcode: "NOERROR", authoritative: true, answers } : { rcode: "NOERROR", authoritative: true, answers, soa: soaOf(zone) };
  }
  return { rcode: "NOERROR", authoritative: true, answers };
}
