/**
 * Which fields of which object of a failover refer to which other objects, known before any
 * engine value resolves: the layout, the wiring, the failback mode and the record groups are
 * plain values at construction. `DnsFailover` builds each child input from exactly the URLs it
 * refers to, so Pulumi records a dependency only where there is one (every child depending on
 * every earlier URL made each input's `propertyDependencies` list every earlier resource).
 */
import type { FailoverWiring, LayoutEntry, PlanObjectKey, RecordGroups } from "../failover/plan";
import { FAILOVER_DEFAULTS, isPlanRef, probeUrlFor } from "../failover/plan";
import type { PlanRecord } from "../failover/records";
import { buildObjects } from "../failover/specs";

/** For each object key, for each spec field that refers to other objects: the keys referred to, in order of first reference. */
export type PlanRefMap = ReadonlyMap<PlanObjectKey, Readonly<Record<string, readonly PlanObjectKey[]>>>;

/** Stand-in record: its values never reach a resource, only the shape of the wiring matters. */
function syntheticRecord(index: number): PlanRecord {
  return {
    index,
    dns: {
      provider: "cloudflare",
      zoneId: "0".repeat(32),
      recordId: index.toString(16).padStart(32, "0"),
      name: `r${index}.example.com`,
      type: "A",
      apiToken: "synthetic",
    },
    primary: "192.0.2.1",
    backup: "192.0.2.2",
    contentField: { primary: "primary", backup: "backup" },
    field: (f) => f,
  };
}

function refsIn(v: unknown, out: PlanObjectKey[]): void {
  if (isPlanRef(v)) {
    if (!out.includes(v.$ref)) out.push(v.$ref);
  } else if (Array.isArray(v)) {
    for (const x of v) refsIn(x, out);
  } else if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) refsIn(x, out);
  }
}

/**
 * The references of every object of `layout` (see {@link PlanRefMap}). The specs are built by the
 * same code as the real plan (`buildObjects`), from stand-in records: references depend only on
 * the layout, the wiring, the failback mode and `groups`, never on record contents.
 */
export function planRefs(layout: readonly LayoutEntry[], wiring: FailoverWiring, failback: "auto" | "manual", groups: RecordGroups): PlanRefMap {
  const count = Math.max(0, ...groups.failover.flat(), ...groups.recovery.flat()) + 1;
  const objects = buildObjects([...layout], {
    name: "refs",
    wiring,
    failback,
    retryAttempts: 0,
    graceSeconds: FAILOVER_DEFAULTS.latchGraceSeconds,
    records: Array.from({ length: count }, (_, i) => syntheticRecord(i)),
    groups,
    healthCheck: { url: "https://health.example.com/", cron: FAILOVER_DEFAULTS.cron, timeoutMs: FAILOVER_DEFAULTS.timeoutMs, method: FAILOVER_DEFAULTS.method },
    notifyOnFailure: true,
    notifyOnRecovery: true,
    isUnresolved: () => false,
    probeUrlFor,
  });
  const map = new Map<PlanObjectKey, Record<string, PlanObjectKey[]>>();
  for (const o of objects) {
    const fields: Record<string, PlanObjectKey[]> = {};
    for (const [field, value] of Object.entries(o.spec)) {
      const keys: PlanObjectKey[] = [];
      refsIn(value, keys);
      if (keys.length > 0) fields[field] = keys;
    }
    map.set(o.key, fields);
  }
  return map;
}
