/**
 * Query handling of the Cloudflare emulator's list routes, as the official SDK (`cloudflare` on
 * npm, generated from Cloudflare's OpenAPI schema) sends it: `page`/`per_page` pagination with
 * `result_info`, record filters `name`/`name.exact|contains|startswith|endswith`, `type`,
 * `content`/`content.exact|contains|startswith|endswith`, `match=any|all`, and the zone filter
 * `name` with an optional operator prefix (`contains:exam`, `starts_with:`, `ends_with:`,
 * `not_equal:`). Name filters are case-insensitive.
 */
import type { EmuRequest } from "./types";

/** One page of a list and its `result_info`. */
export interface Page<T> {
  items: T[];
  info: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
}

/** Pagination limits of one list route. */
export interface PageRule {
  /** `per_page` when not sent. */
  dflt: number;
  min: number;
  max: number;
}

/** Records: default 100 per page (min 5, max 5,000,000 per the schema; capped lower here). */
export const RECORD_PAGES: PageRule = { dflt: 100, min: 5, max: 50000 };
/** Zones: default 20 per page, 5..50. */
export const ZONE_PAGES: PageRule = { dflt: 20, min: 5, max: 50 };

/**
 * The requested page. A page past the end is empty (the SDK's auto-pagination stops at the first
 * empty page), never the first page again.
 */
export function paginate<T>(all: T[], req: EmuRequest, rule: PageRule): Page<T> {
  const perPage = clampInt(req.query.get("per_page"), rule.dflt, rule.min, rule.max);
  const page = clampInt(req.query.get("page"), 1, 1, 1_000_000_000);
  const start = Math.min((page - 1) * perPage, all.length);
  const end = Math.min(start + perPage, all.length);
  return {
    items: all.slice(start, end),
    info: { page, per_page: perPage, count: end - start, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) },
  };
}

function clampInt(v: string | null, dflt: number, min: number, max: number): number {
  const n = v === null ? Number.NaN : Number.parseInt(v, 10);
  if (!Number.isFinite(n)) return dflt;
  return Math.min(max, Math.max(min, n));
}

type Test = (value: string) => boolean;

/** Tests for one string field from `<key>`, `<key>.exact`, `.contains`, `.startswith`, `.endswith`. */
function fieldTests(req: EmuRequest, key: string, caseInsensitive: boolean, normalise: (s: string) => string = (s) => s): Test[] {
  const norm = (s: string) => normalise(caseInsensitive ? s.toLowerCase() : s);
  const tests: Test[] = [];
  const exact = req.query.get(`${key}.exact`) ?? req.query.get(key);
  if (exact !== null && exact !== "") tests.push((v) => norm(v) === norm(exact));
  const contains = req.query.get(`${key}.contains`);
  if (contains !== null && contains !== "") tests.push((v) => norm(v).includes(caseInsensitive ? contains.toLowerCase() : contains));
  const starts = req.query.get(`${key}.startswith`);
  if (starts !== null && starts !== "") tests.push((v) => norm(v).startsWith(caseInsensitive ? starts.toLowerCase() : starts));
  const ends = req.query.get(`${key}.endswith`);
  if (ends !== null && ends !== "") tests.push((v) => norm(v).endsWith(caseInsensitive ? ends.toLowerCase() : ends));
  return tests;
}

/** The record filter of a `GET /zones/{id}/dns_records` request (`match=all` by default). */
export function recordFilter(req: EmuRequest): (r: { name: string; type: string; content: string }) => boolean {
  const byName = fieldTests(req, "name", true, (s) => s.replace(/\.$/, ""));
  const byContent = fieldTests(req, "content", true);
  const type = req.query.get("type");
  const tests: ((r: { name: string; type: string; content: string }) => boolean)[] = [
    ...byName.map((t) => (r: { name: string }) => t(r.name)),
    ...byContent.map((t) => (r: { content: string }) => t(r.content)),
  ];
  if (type) tests.push((r) => r.type === type.toUpperCase());
  if (tests.length === 0) return () => true;
  const any = req.query.get("match") === "any";
  return (r) => (any ? tests.some((t) => t(r)) : tests.every((t) => t(r)));
}

/** The zone filter of a `GET /zones` request (`name` with an optional `operator:` prefix; `status`). */
export function zoneFilter(req: EmuRequest): (z: { name: string; status: string }) => boolean {
  const tests: ((z: { name: string; status: string }) => boolean)[] = [];
  const raw = req.query.get("name");
  if (raw) {
    const m = /^(equal|not_equal|starts_with|ends_with|contains|starts_with_case_sensitive|ends_with_case_sensitive|contains_case_sensitive):(.*)$/.exec(raw);
    const op = m ? m[1]! : "equal";
    const value = m ? m[2]! : raw;
    const cs = op.endsWith("_case_sensitive");
    const v = cs ? value : value.toLowerCase().replace(/\.$/, "");
    const f = (n: string) => (cs ? n : n.toLowerCase());
    const test: Test =
      op === "not_equal"
        ? (n) => f(n) !== v
        : op.startsWith("starts_with")
          ? (n) => f(n).startsWith(v)
          : op.startsWith("ends_with")
            ? (n) => f(n).endsWith(v)
            : op.startsWith("contains")
              ? (n) => f(n).includes(v)
              : (n) => f(n) === v;
    tests.push((z) => test(z.name));
  }
  const status = req.query.get("status");
  if (status) tests.push((z) => z.status === status);
  if (tests.length === 0) return () => true;
  const any = req.query.get("match") === "any";
  return (z) => (any ? tests.some((t) => t(z)) : tests.every((t) => t(z)));
}
