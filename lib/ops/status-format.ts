/**
 * The human table of `runlater-iac status`: one row per failover; a failover of several records
 * gets its own row (the worst verdict, the health check) and then one indented row per record
 * (`#1`, `#2`, …: that record's verdict, content and addresses). Then one reason line per
 * failover; with one failover, its latches and recent checks too.
 */
import type { FailoverStatus, RecordStatus } from "./status";

const hhmm = (iso?: string | null) => (iso ? iso.replace(/^\d{4}-\d{2}-\d{2}T/, "").replace(/(\.\d+)?Z$/, "Z") : "-");

function recordCells(r: Pick<RecordStatus, "record" | "primary" | "backup">, withDns: boolean, manual: boolean): string[] {
  const values = r.record.api;
  const rec = `${r.record.fqdn ?? "?"} ${r.record.type} ${values ? (values.length ? values.join(",") : "(missing)") : "(unreadable)"}${r.record.ttl !== undefined ? ` ttl ${r.record.ttl}` : ""}`;
  const dns = r.record.dns?.length ? r.record.dns.join(",") : (r.record.dnsError ?? "-");
  return [rec, ...(withDns ? [dns] : []), `${r.primary ?? "?"} → ${r.backup ?? "?"}${manual ? " (manual)" : ""}`];
}

/** Human table (one row per failover, one more per record when it has several, then reasons; with one failover, its latches and recent checks too). */
export function formatStatus(statuses: readonly FailoverStatus[]): string[] {
  if (statuses.length === 0) return ['no failovers found (cron tasks named "<name> health")'];
  const records = (s: FailoverStatus) => s.records ?? [];
  const withDns = statuses.some((s) => [s.record, ...records(s).map((r) => r.record)].some((r) => r.dns !== undefined || r.dnsError !== undefined));
  const rows: string[][] = [];
  for (const s of statuses) {
    const h = s.health.current === undefined ? "no checks" : `${s.health.current} ×${s.health.streak}${s.health.streakAtLeast ? "+" : ""} since ${hhmm(s.health.since)}`;
    const manual = s.failback === "manual";
    if (records(s).length <= 1) {
      rows.push([s.name, s.verdict, h, ...recordCells(s, withDns, manual)]);
      continue;
    }
    rows.push([s.name, s.verdict, h, `${records(s).length} records:`, ...(withDns ? [""] : []), ""]);
    for (const [i, r] of records(s).entries()) rows.push([`  #${i + 1}`, r.verdict, "", ...recordCells(r, withDns, manual)]);
  }
  const all = [["FAILOVER", "VERDICT", "HEALTH", "RECORD (API)", ...(withDns ? ["RESOLVER"] : []), "PRIMARY → BACKUP"], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
  lines.push("");
  for (const s of statuses) lines.push(`${s.name}: ${s.verdict} — ${s.reason}`);
  if (statuses.length === 1) {
    const s = statuses[0]!;
    if (s.latches && s.latches.length > 0) {
      lines.push("", "latches (heartbeat monitors; down = fired after the last outage, the resting state):");
      for (const m of s.latches) lines.push(`  ${m.name}: ${m.enabled ? m.status : "disabled"}, last ping ${m.lastPingAt ?? "never"}, grace ${m.gracePeriodSeconds} s`);
    }
    lines.push("", "recent health checks (newest first):");
    for (const e of s.health.recent) lines.push(`  ${e.at ?? "-"}  ${e.status.padEnd(7)}  ${e.statusCode ?? "-"}  ${e.durationMs ?? "-"} ms`);
    if (s.health.recent.length === 0) lines.push("  (none)");
  }
  return lines;
}
