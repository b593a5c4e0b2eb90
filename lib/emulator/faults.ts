/**
 * Fault injection: make chosen routes answer 429, 5xx, hang, drop the connection or delay, a
 * number of times or with a probability (seeded, deterministic), optionally after the handler
 * ran ("the change happened but the reply was lost"); and a throttle that answers 429 above a
 * request rate (for benchmarks).
 */

import { compileLinearPattern } from "./safe-pattern";

/** One fault rule. A request matches when every given matcher matches. */
export interface FaultRule {
  /**
   * Route name or glob over {@link RouteDef.name} (`runlater.tasks.create`, `runlater.*`,
   * `cloudflare.dns_records.*`). Unmatched paths are named `unmatched`.
   */
  route?: string;
  /** HTTP method (case-insensitive). */
  method?: string;
  /**
   * Regex over the request path without query. Through the emulator (`faults.add`, `POST
   * /_emulator/faults`) a string runs on a linear-time matcher (safe-pattern.ts: JS syntax without
   * backreferences or lookarounds, at most 512 characters); a RegExp object is used as given.
   */
  path?: string | RegExp;
  /**
   * What happens:
   * - `status` (default): answer `status` with `body`/`headers`.
   * - `hang`: never answer; the socket is destroyed after `hangMs` real ms (or when the client gives up).
   * - `drop`: destroy the socket without an answer.
   * - `delay`: wait `delayMs` real ms, then run the handler normally (inside the idempotency window).
   * - `throttle`: answer 429 whenever more than `limit` matching requests arrived in the last
   *   `windowMs` real ms (requests under the limit pass through; `times`/`probability`/`after` are ignored).
   * @default "status"
   */
  kind?: "status" | "hang" | "drop" | "delay" | "throttle";
  /**
   * Status for `kind: "status"`. 429 gets Runlater's string body (`{"error":"Rate limit exceeded.
   * Try again later."}`) and no Retry-After unless `retryAfter`/`headers` say so; 503 gets
   * `retry-after: 5` and the `service_unavailable` body; other codes get Phoenix's
   * `{"errors":{"detail":"Internal Server Error"}}`.
   * @default 503
   */
  status?: number;
  /** Response body override (JSON value, or a string sent as text). */
  body?: unknown;
  /** Extra response headers (e.g. `{"retry-after": "2"}`); names are lower-cased. */
  headers?: Record<string, string>;
  /** Adds `retry-after: <seconds>` to a `status`/`throttle` answer. */
  retryAfter?: number;
  /** Apply this many times, then the rule is spent (and removed from the list). @default unlimited */
  times?: number;
  /** Apply with this probability (0..1), drawn from the emulator's seeded PRNG (option `seed`). @default 1 */
  probability?: number;
  /**
   * Run the real handler first, then replace its response (`status`, `drop` or `hang`): "the
   * change happened but the reply was lost". A 2xx is still stored for its Idempotency-Key, so
   * a retry with the same key gets the original answer. @default false
   */
  after?: boolean;
  /** Real milliseconds for `delay`. @default 1000 */
  delayMs?: number;
  /** Real milliseconds before a hung socket is destroyed. @default 30000 */
  hangMs?: number;
  /** `throttle`: requests allowed per window. @default 10 */
  limit?: number;
  /** `throttle`: window length in real milliseconds. @default 1000 */
  windowMs?: number;
  /**
   * Start of the rule's window in **emulator** time (epoch ms or ISO-8601): before it the rule
   * does not apply (and is not consumed). With `until`, schedules an outage, e.g. a 10-minute
   * DNS API outage two emulated hours in. @default always
   */
  from?: number | string;
  /** End of the window in emulator time (epoch ms or ISO-8601), exclusive. @default never */
  until?: number | string;
}

/** A rule as listed: the rule plus its id and remaining uses. */
export interface ActiveFault extends FaultRule {
  /** Id for removal (`DELETE /_emulator/faults/:id`). */
  readonly id: number;
  /** Uses left (`null` = unlimited). */
  readonly remaining: number | null;
}

interface LiveRule {
  id: number;
  rule: FaultRule;
  remaining: number;
  pathRe?: RegExp;
  routeRe?: RegExp;
  hits: number[];
  from: number;
  until: number;
}

function instant(v: number | string | undefined, def: number): number {
  if (v === undefined) return def;
  return typeof v === "number" ? v : Date.parse(v);
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

/** Small deterministic PRNG (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks a rule's shape; throws a readable error (the HTTP control API answers 400 with it). */
export function validateFaultRule(rule: FaultRule): void {
  if (rule === null || typeof rule !== "object") throw new Error("a fault rule must be an object");
  const kinds = ["status", "hang", "drop", "delay", "throttle"];
  if (rule.kind !== undefined && !kinds.includes(rule.kind)) throw new Error(`kind must be one of ${kinds.join(", ")}`);
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) {
    throw new Error("status must be an integer 100..599");
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 1)) throw new Error("times must be a positive integer");
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new Error("probability must be 0..1");
  for (const k of ["delayMs", "hangMs", "windowMs", "retryAfter"] as const) {
    const v = rule[k];
    if (v !== undefined && !(typeof v === "number" && v >= 0)) throw new Error(`${k} must be a non-negative number`);
  }
  if (rule.limit !== undefined && !(Number.isInteger(rule.limit) && rule.limit >= 0)) throw new Error("limit must be a non-negative integer");
  if (typeof rule.path === "string") new RegExp(rule.path);
  for (const k of ["from", "until"] as const) {
    const v = rule[k];
    if (v !== undefined && !((typeof v === "number" || typeof v === "string") && Number.isFinite(instant(v, 0)))) {
      throw new Error(`${k} must be an epoch-ms number or an ISO-8601 time`);
    }
  }
}

/** The set of active rules, checked in insertion order; the first applicable rule wins. */
export class FaultSet {
  private rules: LiveRule[] = [];
  private nextId = 1;
  constructor(
    private readonly random: () => number,
    private readonly realNow: () => number = Date.now,
    /** Emulator clock, for `from`/`until`. */
    private readonly emuNow: () => number = Date.now,
  ) {}

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    return this.remover(this.addRule(rule).id);
  }

  /** Adds a rule; returns its listing entry (with the id). */
  addRule(rule: FaultRule): ActiveFault {
    validateFaultRule(rule);
    const live: LiveRule = {
      id: this.nextId++,
      rule: { ...rule },
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      pathRe: rule.path === undefined ? undefined : typeof rule.path === "string" ? new RegExp(rule.path) : rule.path,
      routeRe: rule.route === undefined ? undefined : globToRegExp(rule.route),
      hits: [],
      from: instant(rule.from, Number.NEGATIVE_INFINITY),
      until: instant(rule.until, Number.POSITIVE_INFINITY),
    };
    this.rules.push(live);
    return this.view(live);
  }

  private remover(id: number): () => void {
    return () => this.remove(id);
  }

  /** Removes one rule by id; false when there is none. */
  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Active rules (copies), spent ones excluded. */
  list(): ActiveFault[] {
    return this.rules.filter((r) => r.remaining > 0).map((r) => this.view(r));
  }

  private view(r: LiveRule): ActiveFault {
    const { path, ...rest } = r.rule;
    return {
      ...rest,
      ...(path === undefined ? {} : { path: typeof path === "string" ? path : path.source }),
      id: r.id,
      remaining: Number.isFinite(r.remaining) ? r.remaining : null,
    };
  }

  /** The rule to apply to this request, if any (consumes one use). */
  take(route: string, method: string, path: string): FaultRule | undefined {
    const now = this.emuNow();
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (now < r.from || now >= r.until) continue;
      if (r.routeRe && !r.routeRe.test(route)) continue;
      if (r.rule.method && r.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.pathRe && !r.pathRe.test(path)) continue;
      if (r.rule.kind === "throttle") {
        const real = this.realNow();
        const windowMs = r.rule.windowMs ?? 1000;
        r.hits = r.hits.filter((t) => real - t < windowMs);
        r.hits.push(real);
        if (r.hits.length > (r.rule.limit ?? 10)) return { ...r.rule, kind: "status", status: 429, after: false };
        continue;
      }
      if (r.rule.probability !== undefined && this.random() >= r.rule.probability) continue;
      r.remaining--;
      if (r.remaining <= 0) this.rules = this.rules.filter((x) => x !== r);
      return r.rule;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------- hostile-input checks
/** HTTP token characters (RFC 9110 §5.6.2): what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node's `writeHead` accepts in a header value (no CR, LF, NUL or other controls). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Longest `delayMs`/`hangMs`/`windowMs` accepted (real ms): one hour. */
export const MAX_FAULT_MS = 3_600_000;
/** Largest encoded `body` of a fault rule accepted, in bytes. */
export const MAX_FAULT_BODY_BYTES = 1_048_576;

/**
 * Checks everything a request could later trip over and returns the rule to add, with a string
 * `path` compiled by the linear-time matcher (lib/emulator/safe-pattern.ts) so a pattern such as
 * `^/(a+)+$` cannot freeze the event loop. Throws an `Error` whose message starts with the field
 * name (`headers.x-a: …`, `path: …`); the control API answers it as 400. Runs
 * {@link validateFaultRule} too. RegExp objects (in-process callers) are kept as given.
 */
export function checkFaultRule(input: unknown): FaultRule {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new Error("a fault rule must be an object");
  const rule = { ...(input as FaultRule) };
  for (const k of ["route", "method"] as const) {
    if (rule[k] !== undefined && typeof rule[k] !== "string") throw new Error(`${k} must be a string`);
  }
  if (rule.method !== undefined && !HEADER_NAME.test(rule.method)) throw new Error("method must be an HTTP method token");
  // The route glob becomes a backtracking RegExp inside FaultSet: a few wildcards over a short
  // route name stay cheap, hundreds do not.
  if (rule.route !== undefined && (rule.route.length > 100 || (rule.route.match(/[*?]/g) ?? []).length > 3)) {
    throw new Error("route must be at most 100 characters with at most 3 wildcards");
  }
  for (const k of ["delayMs", "hangMs", "windowMs"] as const) {
    const v = rule[k];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= MAX_FAULT_MS)) throw new Error(`${k} must be a number 0..${MAX_FAULT_MS}`);
  }
  if (rule.retryAfter !== undefined && !(Number.isInteger(rule.retryAfter) && rule.retryAfter >= 0 && rule.retryAfter <= 86_400)) {
    throw new Error("retryAfter must be an integer 0..86400 (seconds)");
  }
  if (rule.headers !== undefined) {
    const h = rule.headers as unknown;
    if (h === null || typeof h !== "object" || Array.isArray(h)) throw new Error("headers must be an object of strings");
    for (const [name, value] of Object.entries(h)) {
      if (!HEADER_NAME.test(name)) throw new Error(`headers: ${JSON.stringify(name.slice(0, 40))} is not a valid header name`);
      if (typeof value !== "string") throw new Error(`headers.${name} must be a string`);
      if (!HEADER_VALUE.test(value)) throw new Error(`headers.${name} must not contain CR, LF or other control characters`);
    }
  }
  if (rule.body !== undefined && typeof rule.body !== "string") {
    let encoded: string | undefined;
    try {
      encoded = JSON.stringify(rule.body);
    } catch {
      throw new Error("body must be JSON-serialisable (no cycles, no BigInt, not nested too deep)");
    }
    if (encoded === undefined) throw new Error("body must be a JSON value or a string");
    rule.body = JSON.parse(encoded);
  }
  const bodyBytes = rule.body === undefined ? 0 : Buffer.byteLength(typeof rule.body === "string" ? rule.body : JSON.stringify(rule.body));
  if (bodyBytes > MAX_FAULT_BODY_BYTES) throw new Error(`body must be at most ${MAX_FAULT_BODY_BYTES} bytes`);
  if (typeof rule.path === "string") {
    try {
      rule.path = compileLinearPattern(rule.path) as unknown as RegExp; // FaultSet only calls .test and reads .source
    } catch (e) {
      throw new Error(`path: ${(e as Error).message}`);
    }
  } else if (rule.path !== undefined && !(rule.path instanceof RegExp)) throw new Error("path must be a string pattern");
  validateFaultRule(rule);
  return rule;
}
