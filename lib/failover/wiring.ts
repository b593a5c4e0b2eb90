/**
 * Which Runlater objects a failover consists of, and how they point at each other: the layout
 * of each wiring, as plain data shared by both engines, the demo, the CLI and the benchmarks.
 *
 * The layout depends only on the wiring and the failback mode (plain values), never on engine
 * inputs, so an engine knows which resources to register before any value resolves. References
 * between objects (an inbound URL, a ping URL) are {@link PlanRef} placeholders that each engine
 * replaces with its own value (a Pulumi `Output`, a Terraform reference) through
 * {@link resolvePlanRefs}.
 */

/**
 * How the objects of a failover are wired.
 *
 * - `"converge"` (default): the seed guide's edge-triggered hooks, plus a level-triggered probe
 *   that re-asserts the backup on every failed check while the primary is down, failover
 *   forwards without retries (nothing late can land after a recovery), and a heartbeat latch
 *   that re-asserts the primary once failure signals have stopped (two of them, each with its own
 *   hook). 8 Runlater objects.
 * - `"edge"`: runlater-iac 0.1: health task → failover/recovery endpoints, forwards with
 *   retries. 3 objects (2 with manual failback).
 * - `"seed"`: the seed guide's requests as written (Cloudflare `PUT` of the full record,
 *   capitalised header names), with the `forward_method` the guide forgot. 3 objects.
 */
export type FailoverWiring = "converge" | "edge" | "seed";

/** All wirings, default first. */
export const FAILOVER_WIRINGS: readonly FailoverWiring[] = ["converge", "edge", "seed"];

/**
 * What one object of a failover does. A failover of several records has one `failover` (and
 * `recovery`) endpoint per distinct stored request, and fan-out endpoints where one hook must
 * reach several of them (see {@link failoverLayout}).
 */
export type PlanObjectPart =
  | "failover"
  | "recovery"
  | "restore"
  | "fanout"
  | "latch"
  | "latch2"
  | "relay"
  | "probe"
  | "health"
  | "pulse";

/**
 * Key of one object in a failover: its part, and for the second and later DNS endpoints of a
 * failover of several records, its 1-based number (`failover-2`, `recovery-3`).
 */
export type PlanObjectKey = PlanObjectPart | `failover-${number}` | `recovery-${number}`;

/** Kind of Runlater object. */
export type PlanObjectKind = "endpoint" | "task" | "monitor";

/** A reference to another object's URL, resolved by the engine. */
export interface PlanRef {
  /** The object referred to. */
  readonly $ref: PlanObjectKey;
  /** `inboundUrl` of an endpoint, `pingUrl` of a monitor. */
  readonly attr: "inboundUrl" | "pingUrl";
}

/** One object of a layout. */
export interface LayoutEntry {
  readonly key: PlanObjectKey;
  /** What the object does (the key without its number). */
  readonly part: PlanObjectPart;
  /** For `failover`/`recovery` endpoints: which of them (0-based); 0 otherwise. */
  readonly index: number;
  readonly kind: PlanObjectKind;
  /** Name suffix: the object is named `<name> <suffix>`. */
  readonly suffix: string;
  /** What it is for, one line (README, `status`, summaries). */
  readonly role: string;
}

type EntryInfo = Omit<LayoutEntry, "key" | "part" | "index">;
const ENTRY: Record<PlanObjectPart, EntryInfo> = {
  failover: { kind: "endpoint", suffix: "failover", role: "stored DNS request: record := backup" },
  recovery: { kind: "endpoint", suffix: "recovery", role: "stored DNS request: record := primary" },
  restore: { kind: "endpoint", suffix: "restore", role: "fans one recovery signal out to every recovery endpoint" },
  fanout: { kind: "endpoint", suffix: "fanout", role: "fans the failure hook out to every failover endpoint" },
  latch: {
    kind: "monitor",
    suffix: "latch",
    role: "heartbeat pinged on every failure signal; when they stop, re-asserts the primary",
  },
  latch2: {
    kind: "monitor",
    suffix: "latch-2",
    role: "a second latch, 2 minutes later: its own hook, so one lost POST cannot strand the record",
  },
  relay: { kind: "endpoint", suffix: "relay", role: "fans a failed probe out to the failover endpoint and the latch" },
  probe: {
    kind: "endpoint",
    suffix: "probe",
    role: "fresh one-time check of the primary per pulse; fires on every failure (level-triggered)",
  },
  health: { kind: "task", suffix: "health", role: "cron health check: failure/recovery edges" },
  pulse: { kind: "task", suffix: "pulse", role: "cron that hits the probe endpoint every interval" },
};

/** How many distinct stored DNS requests a failover has (see `groupRecords` in records.ts). */
export interface LayoutCounts {
  /** Failover endpoints (1..8). @default 1 */
  failover?: number;
  /** Recovery endpoints (1..8; ignored with manual failback). @default 1 */
  recovery?: number;
}

/** The key of the `i`-th (0-based) endpoint of a DNS part. */
export function dnsKey(part: "failover" | "recovery", i: number): PlanObjectKey {
  return i === 0 ? part : `${part}-${i + 1}`;
}

/** The part and index of a key (`failover-2` → failover, 1). */
export function partOf(key: PlanObjectKey): { part: PlanObjectPart; index: number } {
  const m = /^(failover|recovery)-(\d+)$/.exec(key);
  if (m) return { part: m[1] as PlanObjectPart, index: Number(m[2]) - 1 };
  return { part: key as PlanObjectPart, index: 0 };
}

function entry(key: PlanObjectKey): LayoutEntry {
  const { part, index } = partOf(key);
  const e = ENTRY[part];
  return { key, part, index, ...e, suffix: index === 0 ? e.suffix : `${e.suffix}-${index + 1}` };
}

/**
 * The objects of a wiring in creation order (every object after the objects it refers to).
 * With `failback: "manual"` there is no recovery endpoint and no latch.
 *
 * With several stored DNS requests (`counts`): one endpoint per request (`failover`,
 * `failover-2`, …), and where one hook must reach several of them:
 * - `converge`: the relay forwards to every failover endpoint and both latches; the health
 *   task's failure hook goes to the relay (a failure signal, so pinging the latches is right);
 *   a `restore` endpoint fans the latches' and the health task's recovery hook out to every
 *   recovery endpoint.
 * - `edge`/`seed`: a `fanout` endpoint for the failure hook, a `restore` endpoint for the
 *   recovery hook.
 *
 * Depends only on plain values, never on engine inputs: an engine registers resources before
 * any value resolves. One request of each kind gives the single-record layout unchanged.
 */
export function failoverLayout(wiring: FailoverWiring, failback: "auto" | "manual", counts: LayoutCounts = {}): LayoutEntry[] {
  const k = Math.max(1, Math.floor(counts.failover ?? 1));
  const m = failback === "auto" ? Math.max(1, Math.floor(counts.recovery ?? 1)) : 0;
  const failovers = Array.from({ length: k }, (_, i) => dnsKey("failover", i));
  const recoveries = Array.from({ length: m }, (_, i) => dnsKey("recovery", i));
  const restore: PlanObjectKey[] = m > 1 ? ["restore"] : [];
  const keys: PlanObjectKey[] =
    wiring === "converge"
      ? failback === "auto"
        ? [...failovers, ...recoveries, ...restore, "latch", "latch2", "relay", "probe", "health", "pulse"]
        : [...failovers, "relay", "probe", "health", "pulse"]
      : [...failovers, ...recoveries, ...(k > 1 ? (["fanout"] as PlanObjectKey[]) : []), ...restore, "health"];
  return keys.map(entry);
}

/** True for a {@link PlanRef}. */
export function isPlanRef(v: unknown): v is PlanRef {
  return typeof v === "object" && v !== null && typeof (v as PlanRef).$ref === "string" && typeof (v as PlanRef).attr === "string";
}

/** A reference to `key`'s inbound URL (endpoints) or ping URL (monitors). */
export function refTo(key: PlanObjectKey, attr: PlanRef["attr"] = ENTRY[partOf(key).part].kind === "monitor" ? "pingUrl" : "inboundUrl"): PlanRef {
  return { $ref: key, attr };
}

/** `T` with every {@link PlanRef} (at any depth of arrays and plain objects) replaced by `R`. */
export type Resolved<T, R> = T extends PlanRef
  ? R
  : T extends readonly (infer E)[]
    ? Resolved<E, R>[]
    : T extends object
      ? { [K in keyof T]: Resolved<T[K], R> }
      : T;

/** Replaces every {@link PlanRef} in `value` (arrays and plain objects, any depth) with `lookup(ref)`. */
export function resolvePlanRefs<T, R>(value: T, lookup: (ref: PlanRef) => R): Resolved<T, R> {
  const walk = (v: unknown): unknown => {
    if (isPlanRef(v)) return lookup(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as Resolved<T, R>;
}
