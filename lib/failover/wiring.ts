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

/** Role of one object in a failover. */
export type PlanObjectKey = "failover" | "recovery" | "latch" | "latch2" | "relay" | "probe" | "health" | "pulse";

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
  readonly kind: PlanObjectKind;
  /** Name suffix: the object is named `<name> <suffix>`. */
  readonly suffix: string;
  /** What it is for, one line (README, `status`, summaries). */
  readonly role: string;
}

const ENTRY: Record<PlanObjectKey, LayoutEntry> = {
  failover: { key: "failover", kind: "endpoint", suffix: "failover", role: "stored DNS request: record := backup" },
  recovery: { key: "recovery", kind: "endpoint", suffix: "recovery", role: "stored DNS request: record := primary" },
  latch: {
    key: "latch",
    kind: "monitor",
    suffix: "latch",
    role: "heartbeat pinged on every failure signal; when they stop, re-asserts the primary",
  },
  latch2: {
    key: "latch2",
    kind: "monitor",
    suffix: "latch-2",
    role: "a second latch, 2 minutes later: its own hook, so one lost POST cannot strand the record",
  },
  relay: { key: "relay", kind: "endpoint", suffix: "relay", role: "fans a failed probe out to the failover endpoint and the latch" },
  probe: {
    key: "probe",
    kind: "endpoint",
    suffix: "probe",
    role: "fresh one-time check of the primary per pulse; fires on every failure (level-triggered)",
  },
  health: { key: "health", kind: "task", suffix: "health", role: "cron health check: failure/recovery edges" },
  pulse: { key: "pulse", kind: "task", suffix: "pulse", role: "cron that hits the probe endpoint every interval" },
};

/**
 * The objects of a wiring in creation order (every object after the objects it refers to).
 * With `failback: "manual"` there is no recovery endpoint and no latch.
 */
export function failoverLayout(wiring: FailoverWiring, failback: "auto" | "manual"): LayoutEntry[] {
  const keys: PlanObjectKey[] =
    wiring === "converge"
      ? failback === "auto"
        ? ["failover", "recovery", "latch", "latch2", "relay", "probe", "health", "pulse"]
        : ["failover", "relay", "probe", "health", "pulse"]
      : failback === "auto"
        ? ["failover", "recovery", "health"]
        : ["failover", "health"];
  return keys.map((k) => ENTRY[k]);
}

/** True for a {@link PlanRef}. */
export function isPlanRef(v: unknown): v is PlanRef {
  return typeof v === "object" && v !== null && typeof (v as PlanRef).$ref === "string" && typeof (v as PlanRef).attr === "string";
}

/** A reference to `key`'s inbound URL (endpoints) or ping URL (monitors). */
export function refTo(key: PlanObjectKey, attr: PlanRef["attr"] = ENTRY[key].kind === "monitor" ? "pingUrl" : "inboundUrl"): PlanRef {
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
