/**
 * Fault injection: make chosen routes answer 429, 5xx, hang, drop the connection or delay, a
 * number of times or with a probability (seeded, deterministic).
 */

/** One fault rule. A request matches when every given matcher matches. */
export interface FaultRule {
  /** Route name or glob (`runlater.tasks.create`, `runlater.*`, `cloudflare.dns_records.*`). */
  route?: string;
  /** HTTP method (upper-case). */
  method?: string;
  /** Path regex (string form is compiled). */
  path?: string | RegExp;
  /**
   * What happens: `status` answers `status` (default 503) with `body`/`headers`; `hang` never
   * answers (the socket is closed after `hangMs`); `drop` destroys the socket; `delay` waits
   * `delayMs` real ms then answers normally. @default "status"
   */
  kind?: "status" | "hang" | "drop" | "delay";
  /** Status for `kind: "status"`. 429 gets Runlater's string body; 503 gets `retry-after: 5`. @default 503 */
  status?: number;
  /** Response body override (JSON value or text). */
  body?: unknown;
  /** Extra response headers (e.g. `{"retry-after": "2"}`). */
  headers?: Record<string, string>;
  /** Apply this many times, then the rule is spent. @default unlimited */
  times?: number;
  /** Apply with this probability (0..1), drawn from the emulator's seeded PRNG. @default 1 */
  probability?: number;
  /**
   * Run the real handler first, then replace its response (with `status`, `drop` or `hang`):
   * "the change happened but the reply was lost". @default false
   */
  after?: boolean;
  /** Real milliseconds for `delay`. @default 1000 */
  delayMs?: number;
  /** Real milliseconds before a hung socket is closed. @default 30000 */
  hangMs?: number;
}

interface LiveRule extends FaultRule {
  remaining: number;
  pathRe?: RegExp;
  routeRe?: RegExp;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** Small deterministic PRNG (mulberry32). */
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

/** The set of active rules. */
export class FaultSet {
  private rules: LiveRule[] = [];
  constructor(private readonly random: () => number) {}

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const live: LiveRule = {
      ...rule,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      pathRe: rule.path === undefined ? undefined : typeof rule.path === "string" ? new RegExp(rule.path) : rule.path,
      routeRe: rule.route === undefined ? undefined : globToRegExp(rule.route),
    };
    this.rules.push(live);
    return () => {
      this.rules = this.rules.filter((r) => r !== live);
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Active rules (copies). */
  list(): FaultRule[] {
    return this.rules.map(({ remaining: _r, pathRe: _p, routeRe: _rr, ...rule }) => rule);
  }

  /** The rule to apply to this request, if any (consumes one use). */
  take(route: string, method: string, path: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.routeRe && !r.routeRe.test(route)) continue;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.pathRe && !r.pathRe.test(path)) continue;
      if (r.probability !== undefined && this.random() >= r.probability) continue;
      r.remaining--;
      return r;
    }
    return undefined;
  }
}
