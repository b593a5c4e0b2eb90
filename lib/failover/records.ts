/**
 * The records of a failover: one (`dns` + `primary`/`backup`) or several (`records`), each
 * with its own stored DNS requests, and how they share Runlater endpoints.
 *
 * An endpoint's `forward_urls` share one method, one set of headers and one body (Runlater
 * creates one task per URL from the same `forward_*` fields, endpoints.ex; at most 10 URLs).
 * Records whose stored requests differ only in their URL (apex and `www` of one Cloudflare zone,
 * same token and content: `PATCH {content}` to two record URLs) share one endpoint; records whose
 * method, headers or body differ (an A and an AAAA record: different content) get their own.
 *
 * The grouping decides which Runlater objects exist, and an engine registers its resources
 * before any engine value resolves, so {@link groupRecords} decides from what is known then:
 * records share an endpoint only when everything that goes into method, headers and body is a
 * plain value and equal, or the very same engine value (the same Pulumi `Output` object, the same
 * CDKTF token). Anything else gets its own endpoint. Deterministic: groups are ordered by their
 * first record, records within a group by their position.
 */
import { buildDnsUpdateRequest, type DnsTarget, type ForwardRequest } from "../dns";
import type { ValidationIssue } from "../runlater/validate";
import type { FailoverWiring } from "./wiring";

/** At most this many records per failover: the relay forwards to every failover endpoint and both latches, and Runlater allows 10 forward URLs per endpoint. */
export const MAX_FAILOVER_RECORDS = 8;

/** One record of a failover of several records. */
export interface FailoverRecord {
  /** Which record to change and how (provider, ids, credentials). */
  dns: DnsTarget;
  /** Record content while the primary is healthy. @default the failover's `primary` */
  primary?: string;
  /** Record content after a failover. @default the failover's `backup` */
  backup?: string;
  /**
   * Where the user wrote this record's DNS fields, for error messages: the prefix of its fields
   * (`records[0].record`) and exceptions per DNS target field (`{ apiToken: "cloudflare.apiToken" }`).
   * @default prefix `records[<i>].dns`, no exceptions
   */
  fieldNames?: RecordFieldNames;
}

/** How a record's DNS target fields are named in errors (see {@link FailoverRecord.fieldNames}). */
export interface RecordFieldNames {
  /** Prefix of the record's fields, e.g. `dns`, `record`, `records[1].record`. */
  prefix?: string;
  /** Full field names for single DNS target fields, e.g. `{ recordId: "record.id" }`. */
  fields?: Readonly<Record<string, string>>;
}

/** A record with its contents and names settled. */
export interface PlanRecord {
  /** 0-based position in `records` (0 for the single-record form). */
  index: number;
  dns: DnsTarget;
  primary: string;
  backup: string;
  /** The user's name for `primary` / `backup` of this record. */
  contentField: { primary: string; backup: string };
  /** The user's name of a DNS target field (`dns.zoneId` → `record.zoneId`, `records[1].dns.zoneId`, …). */
  field(dnsField: string): string;
}

/** Which records share which endpoint: indexes into the records, per endpoint, in key order. */
export interface RecordGroups {
  failover: number[][];
  recovery: number[][];
}

/** The records of a plan input (the single-record form becomes one record). */
export function planRecords(input: {
  dns?: DnsTarget;
  primary?: string;
  backup?: string;
  records?: readonly FailoverRecord[];
  dnsFieldNames?: RecordFieldNames;
}): PlanRecord[] {
  if (!Array.isArray(input.records)) {
    return [
      {
        index: 0,
        dns: input.dns as DnsTarget,
        primary: input.primary as string,
        backup: input.backup as string,
        contentField: { primary: "primary", backup: "backup" },
        field: namer("dns", input.dnsFieldNames),
      },
    ];
  }
  return input.records.map((r, i) => {
    const rec = (typeof r === "object" && r !== null ? r : {}) as Partial<FailoverRecord>;
    return {
      index: i,
      dns: rec.dns as DnsTarget,
      primary: (rec.primary ?? input.primary) as string,
      backup: (rec.backup ?? input.backup) as string,
      contentField: { primary: `records[${i}].primary`, backup: `records[${i}].backup` },
      field: namer(`records[${i}].dns`, rec.fieldNames),
    };
  });
}

function namer(defaultPrefix: string, names: RecordFieldNames | undefined): (f: string) => string {
  const prefix = names?.prefix ?? defaultPrefix;
  const fields = names?.fields ?? {};
  return (f) => {
    if (f !== "dns" && !f.startsWith("dns.")) return f;
    const rest = f === "dns" ? "" : f.slice(4);
    if (Object.hasOwn(fields, rest)) return fields[rest]!;
    const first = /^[^.[]+/.exec(rest)?.[0];
    if (first && Object.hasOwn(fields, first)) return fields[first]! + rest.slice(first.length);
    return rest ? `${prefix}.${rest}` : prefix;
  };
}

/** The stored request that sets `dns` to `content` under `wiring` (the seed guide PUTs Cloudflare records; `converge` lower-cases header names). */
export function dnsRequestFor(
  dns: DnsTarget,
  content: string,
  wiring: FailoverWiring,
  isUnresolved: (v: unknown) => boolean,
): ForwardRequest {
  const target =
    wiring === "seed" && typeof dns === "object" && dns !== null && dns.provider === "cloudflare" ? { ...dns, method: "PUT" as const } : dns;
  const req = buildDnsUpdateRequest(target, content, { isUnresolved });
  // Runlater merges forward_headers over the inbound request's (lower-cased) headers
  // case-sensitively (endpoints.ex): lower-case names really override what the sender sent.
  return wiring === "converge" ? { ...req, headers: lowerCaseKeys(req.headers) } : req;
}

export function lowerCaseKeys(h: Record<string, string> | undefined): Record<string, string> {
  if (typeof h !== "object" || h === null) return {};
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Stands for an unresolved value while grouping (plain text: the builders accept it anywhere a token may go). */
const MARK = "RunlaterIacUnresolved7f3a";

/** Options of {@link groupRecords}. */
export interface GroupOptions {
  /** Values not known yet (engine tokens). @default none */
  isUnresolved?: (v: unknown) => boolean;
  /**
   * The identity of an unresolved value: two values with the same identity are the same value.
   * Return `undefined` for a value equal to no other. @default the value itself (objects by
   * reference, strings such as CDKTF tokens by content)
   */
  identity?: (v: unknown) => unknown;
  wiring?: FailoverWiring;
}

/**
 * Which records share a failover (and a recovery) endpoint; see the module documentation.
 * Never throws: a record that cannot be read gets endpoints of its own.
 */
export function groupRecords(records: readonly PlanRecord[], opts: GroupOptions = {}): RecordGroups {
  const isUnresolved = opts.isUnresolved ?? (() => false);
  const identity = opts.identity ?? ((v: unknown) => v);
  const wiring = opts.wiring ?? "converge";
  const ids = new Map<unknown, number>();
  let unique = 0;
  // Unresolved values become markers named by their identity, so the built request says
  // whether they land in method/headers/body (they do not matter in the URL).
  const mark = (v: unknown): string => {
    const id = identity(v);
    if (id === undefined) return `${MARK}u${unique++}`;
    if (!ids.has(id)) ids.set(id, ids.size);
    return `${MARK}r${ids.get(id)}`;
  };
  const substitute = (v: unknown, depth: number): unknown => {
    if (isUnresolved(v)) return mark(v);
    if (depth > 32) return mark(undefined);
    if (Array.isArray(v)) return v.map((x) => substitute(x, depth + 1));
    if (typeof v === "object" && v !== null) {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return mark(undefined);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, depth + 1)]));
    }
    return v;
  };
  const keyOf = (r: PlanRecord, content: unknown): string => {
    try {
      const req = dnsRequestFor(substitute(r.dns, 0) as DnsTarget, substitute(content, 0) as string, wiring, () => false);
      const h = Object.entries(req.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return JSON.stringify([req.method, h, req.body]);
    } catch {
      return `${MARK}u${unique++}`;
    }
  };
  const group = (which: "primary" | "backup"): number[][] => {
    const byKey = new Map<string, number[]>();
    for (const r of records) {
      const k = keyOf(r, r[which]);
      const g = byKey.get(k);
      if (g) g.push(r.index);
      else byKey.set(k, [r.index]);
    }
    return [...byKey.values()];
  };
  try {
    return { failover: group("backup"), recovery: group("primary") };
  } catch {
    const each = records.map((r) => [r.index]);
    return { failover: each, recovery: each };
  }
}

/** Checks the `records` field's shape (array of 1..8 objects, each with a `dns` object). */
export function checkRecordsShape(input: Record<string, unknown>, isUnresolved: (v: unknown) => boolean): ValidationIssue[] {
  const recs = input.records;
  if (recs === undefined) return [];
  if (isUnresolved(recs)) return [{ field: "records", message: "must be a plain array (an engine value cannot decide how many Runlater objects exist)" }];
  if (!Array.isArray(recs)) return [{ field: "records", message: `must be an array of 1 to ${MAX_FAILOVER_RECORDS} records` }];
  const issues: ValidationIssue[] = [];
  if (recs.length === 0 || recs.length > MAX_FAILOVER_RECORDS) {
    issues.push({
      field: "records",
      message: `must hold 1 to ${MAX_FAILOVER_RECORDS} records, got ${recs.length} (the relay forwards to every failover endpoint and both latches; Runlater allows 10 forward URLs per endpoint): split them over several failovers`,
    });
    return issues;
  }
  if (input.dns !== undefined) issues.push({ field: "records", message: "give either `records` or `dns` (one record), not both" });
  recs.forEach((r, i) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) {
      issues.push({ field: `records[${i}]`, message: "must be an object with `dns` (and optional `primary`/`backup`)" });
      return;
    }
    const o = r as Record<string, unknown>;
    if (o.dns === undefined || o.dns === null) issues.push({ field: `records[${i}].dns`, message: "is required: the record to change" });
    for (const k of ["primary", "backup"] as const) {
      const v = o[k] ?? input[k];
      if (o[k] !== undefined && typeof o[k] !== "string" && !isUnresolved(o[k])) {
        issues.push({ field: `records[${i}].${k}`, message: "must be a string" });
      } else if (v === undefined || v === null || v === "") {
        issues.push({ field: `records[${i}].${k}`, message: `is required: here or as the failover's \`${k}\`` });
      }
    }
  });
  return issues;
}

/**
 * How an engine's props give their records, checked before any record is read: `records` (1 to
 * {@link MAX_FAILOVER_RECORDS} entries, each with exactly one of `record` / `dns`) or exactly one
 * of `record` / `dns`. `access` names the engine's Cloudflare credentials prop (`cloudflare`,
 * `dnsApiToken`); `arrayHint` is appended to the "must be an array" message. Returns the first
 * issue, or undefined.
 */
export function recordFormIssue(
  props: { records?: unknown; record?: unknown; dns?: unknown },
  access: string,
  arrayHint = "",
): ValidationIssue | undefined {
  const recs = props.records;
  if (recs === undefined) {
    if (!props.record === !props.dns) {
      return { field: "record", message: `give exactly one DNS target: \`record\` (+ \`${access}\`) or \`dns\` (any provider), or several in \`records\`` };
    }
    return undefined;
  }
  if (props.record !== undefined || props.dns !== undefined) {
    return { field: "records", message: `give either \`records\` or one DNS target (\`record\` + \`${access}\`, or \`dns\`), not both` };
  }
  if (!Array.isArray(recs)) return { field: "records", message: `must be a plain array of 1 to ${MAX_FAILOVER_RECORDS} records${arrayHint}` };
  if (recs.length === 0 || recs.length > MAX_FAILOVER_RECORDS) {
    return {
      field: "records",
      message: `must hold 1 to ${MAX_FAILOVER_RECORDS} records, got ${recs.length} (Runlater allows 10 forward URLs per endpoint: the relay's are the failover endpoints and both latches)`,
    };
  }
  for (const [i, r] of recs.entries()) {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return { field: `records[${i}]`, message: "must be an object with `record` or `dns`" };
    const o = r as { record?: unknown; dns?: unknown };
    if (!o.record === !o.dns) return { field: `records[${i}]`, message: `give exactly one DNS target: \`record\` (+ the failover's \`${access}\`) or \`dns\`` };
  }
  return undefined;
}
