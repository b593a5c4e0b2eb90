/**
 * Small helpers of the benchmark: a switchable health server, a seeded Cloudflare record, a peak
 * RSS sampler and the result table.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudflareDnsTarget } from "../lib/dns";
import type { Emulator } from "../lib/emulator";

/** A local primary whose `/health` answers 200 (`ok`), 503 (`fail`) or never (`hang`). */
export interface HealthServer {
  readonly url: string;
  mode: "ok" | "fail" | "hang";
  close(): Promise<void>;
}

export async function startHealthServer(): Promise<HealthServer> {
  const state = { mode: "ok" as HealthServer["mode"] };
  const server = http.createServer((_req, res) => {
    if (state.mode === "hang") return;
    res.writeHead(state.mode === "ok" ? 200 : 503).end(state.mode === "ok" ? "ok" : "down");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

/** Seeds `www.example.com A <content>` in the emulator's Cloudflare; returns the target and a reader. */
export function seedCloudflareRecord(
  emu: Emulator,
  content: string,
  apiToken: string,
  name = "www.example.com",
): { dns: CloudflareDnsTarget; content(): string | undefined } {
  const cf = emu.dns("cloudflare");
  const zoneName = name.split(".").slice(-2).join(".");
  const zoneId = cf.getZone(zoneName)?.id ?? cf.addZone({ name: zoneName });
  const recordId = cf.addRecord(zoneId, { name, type: "A", content, ttl: 60 });
  return {
    dns: { provider: "cloudflare", zoneId, recordId, name, type: "A", ttl: 60, apiToken, apiBaseUrl: emu.cloudflareApiUrl },
    content: () => cf.getRecord(zoneId, recordId)?.content,
  };
}

/** Runs `fn`, sampling RSS every few ms; returns wall time and peak RSS (bytes). */
export async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRss: number; baseRss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const timer = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > peakRss) peakRss = r;
  }, 5);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    const r = process.memoryUsage.rss();
    if (r > peakRss) peakRss = r;
    return { value, ms, peakRss, baseRss };
  } finally {
    clearInterval(timer);
  }
}

/** One line of the result table. */
export interface Row {
  section: string;
  metric: string;
  /** Display text of the measured value. */
  measured: string;
  /** Display text of the reference (target, bound or budget). */
  reference: string;
  /** `ok`, `FAIL`, or `info` (no pass/fail rule). */
  status: "ok" | "FAIL" | "info";
  /** Raw value(s) for results.json. */
  value?: unknown;
}

export function row(section: string, metric: string, measured: string, reference: string, ok: boolean | undefined, value?: unknown): Row {
  return { section, metric, measured, reference, status: ok === undefined ? "info" : ok ? "ok" : "FAIL", value };
}

export function renderTable(rows: Row[]): string {
  const head = { section: "Section", metric: "Metric", measured: "Measured", reference: "Reference", status: "Status" };
  const all = [head, ...rows];
  const w = (k: keyof typeof head) => Math.max(...all.map((r) => String(r[k]).length));
  const widths = { section: w("section"), metric: w("metric"), measured: w("measured"), reference: w("reference"), status: w("status") };
  const line = (r: typeof head) =>
    `| ${r.section.padEnd(widths.section)} | ${r.metric.padEnd(widths.metric)} | ${r.measured.padStart(widths.measured)} | ${r.reference.padEnd(
      widths.reference,
    )} | ${r.status.padEnd(widths.status)} |`;
  const sep = `|${"-".repeat(widths.section + 2)}|${"-".repeat(widths.metric + 2)}|${"-".repeat(widths.measured + 1)}:|${"-".repeat(
    widths.reference + 2,
  )}|${"-".repeat(widths.status + 2)}|`;
  return [line(head), sep, ...rows.map((r) => line(r as unknown as typeof head))].join("\n");
}

export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
export const fmtMb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const fmtKb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
export const fmtS = (ms: number): string => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
