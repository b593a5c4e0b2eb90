/**
 * Input validation shared by every engine: it runs before any API call and reports every
 * problem at once, each naming the field and the allowed values. Plain functions over plain
 * data, so Pulumi's closure serializer can capture them.
 */
import { Cron } from "croner";
import { isPrivateHost } from "./address";
import { scrubCredentials } from "./errors";
import { HTTP_METHODS, LIMITS, MONITOR_SCHEDULE_TYPES } from "./model";

/** One problem with one field. */
export interface ValidationIssue {
  /** The property path as the user wrote it, e.g. `expectedStatusCodes[1]`. */
  field: string;
  /** What is wrong and what is allowed. Never contains a secret value. */
  message: string;
}

/** Options of the validators. */
export interface ValidateOptions {
  /**
   * Returns true for values that are not known yet (Pulumi's preview sentinel, a CDKTF token).
   * Such values are not validated. Default: nothing is unknown.
   */
  isUnknown?: (value: unknown) => boolean;
  /**
   * Allow loopback/private hosts in a cron task URL. Runlater refuses them (422); only the local
   * emulator (started with `--allow-private`) accepts them. Default false.
   */
  allowPrivateTargets?: boolean;
  /**
   * Origins whose URLs are never "private" for the check above: the Runlater API's own origin
   * (a cron task may call one of its inbound URLs, e.g. the `converge` wiring's pulse; Runlater
   * serves them, so a local emulator's loopback origin is its own, not a private target).
   * @default none
   */
  trustedOrigins?: string[];
  /**
   * Validate a partial update: required fields may be absent (only the given ones are
   * checked). Default false.
   */
  partial?: boolean;
}

/** An issue for a spec that is not an object at all (null, a string, an array, …). */
function notAnObject(spec: unknown): ValidationIssue[] | undefined {
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec)) return undefined;
  return [{ field: "(spec)", message: `must be an object of fields, got ${describe(spec)}` }];
}

/** Thrown by callers that turn issues into an exception. */
export class RunlaterValidationError extends Error {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], what = "input") {
    super(`Invalid ${what}:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join("\n")}`);
    this.name = "RunlaterValidationError";
    this.issues = issues;
  }
}

/**
 * True for hosts Runlater refuses as private or internal: the one shared rule (see
 * `address.ts`), used by the plan, both engines, the client and the emulator.
 */
export { classifyHost, type HostClass, isPrivateHost } from "./address";

/** Checks an http(s) URL. Returns a message or undefined. */
export function checkHttpUrl(value: unknown, opts: { private?: boolean } = {}): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return "must be a non-empty http(s) URL";
  if (value.length > LIMITS.urlChars.max) return `must be at most ${LIMITS.urlChars.max} characters`;
  if (/[\r\n\t\0 ]/.test(value)) return "must not contain whitespace or control characters";
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `must be an absolute http(s) URL, got ${JSON.stringify(truncate(value))}`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return `must use http or https, got ${JSON.stringify(u.protocol.replace(/:$/, ""))}`;
  }
  if (!u.hostname) return "must have a host";
  if (opts.private === false && isPrivateHost(u.hostname)) {
    return `cannot target private or internal addresses (${u.hostname}); Runlater refuses them. Only the local emulator started with --allow-private (and RUNLATER_ALLOW_PRIVATE_TARGETS=true) accepts them`;
  }
  return undefined;
}

/** Checks a 5-field cron expression. Returns a message or undefined. */
export function checkCron(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    return 'must be a 5-field cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "* * * * *"';
  }
  if (value.length > 256) return "must be at most 256 characters (a 5-field cron expression)";
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have exactly 5 fields (minute hour day-of-month month day-of-week, UTC), got ${fields.length}: ${JSON.stringify(truncate(value))}`;
  }
  try {
    new Cron(value.trim(), { paused: true, timezone: "UTC" }).stop();
  } catch (e) {
    return `is not a valid cron expression (${(e as Error).message}): ${JSON.stringify(truncate(value))}`;
  }
  return undefined;
}

/** Checks a header map (token names, values without CR/LF/NUL). Pushes issues. */
export function checkHeaders(
  value: unknown,
  field: string,
  issues: ValidationIssue[],
  isUnknown: (v: unknown) => boolean,
): void {
  if (value === undefined || value === null || isUnknown(value)) return;
  if (typeof value !== "object" || Array.isArray(value)) {
    issues.push({ field, message: "must be an object of header name → string value" });
    return;
  }
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      issues.push({
        field: `${field}.${truncate(name, 40)}`,
        message: "header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~; no spaces, colons or CR/LF)",
      });
    }
    if (isUnknown(v)) continue;
    if (typeof v !== "string") {
      issues.push({ field: `${field}.${truncate(name, 40)}`, message: "header value must be a string" });
    } else if (/[\r\n\0]/.test(v)) {
      // Never echo the value: header values often carry tokens.
      issues.push({ field: `${field}.${truncate(name, 40)}`, message: "header value must not contain CR, LF or NUL" });
    }
  }
}

function checkInt(
  value: unknown,
  field: string,
  min: number,
  max: number,
  unit: string,
  issues: ValidationIssue[],
): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ field, message: `must be an integer from ${min} to ${max}${unit}, got ${describe(value)}` });
  }
}

function checkMethod(value: unknown, field: string, issues: ValidationIssue[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string" || !(HTTP_METHODS as readonly string[]).includes(value)) {
    issues.push({ field, message: `must be one of ${HTTP_METHODS.join(", ")}, got ${describe(value)}` });
  }
}

function checkBody(value: unknown, field: string, issues: ValidationIssue[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") {
    issues.push({ field, message: "must be a string" });
  } else if (Buffer.byteLength(value, "utf8") > LIMITS.bodyBytes.max) {
    issues.push({ field, message: `must be at most 256 KB (${LIMITS.bodyBytes.max} bytes UTF-8)` });
  }
}

function checkName(value: unknown, field: string, required: boolean, issues: ValidationIssue[]): void {
  if (value === undefined || value === null) {
    if (required) issues.push({ field, message: "is required (a non-empty string)" });
    return;
  }
  if (typeof value !== "string" || value.trim() === "") {
    issues.push({ field, message: "must be a non-empty string" });
  } else if (value.length > LIMITS.nameChars.max) {
    issues.push({ field, message: `must be at most ${LIMITS.nameChars.max} characters, got ${value.length}` });
  } else if (/[\0-\x1f\x7f]/.test(value)) {
    issues.push({ field, message: "must not contain control characters" });
  }
}

function checkOptionalUrl(value: unknown, field: string, issues: ValidationIssue[], isUnknown: (v: unknown) => boolean) {
  if (value === undefined || value === null || value === "" || isUnknown(value)) return;
  const m = checkHttpUrl(value);
  if (m) issues.push({ field, message: m });
}

function checkBool(value: unknown, field: string, issues: ValidationIssue[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "boolean") issues.push({ field, message: `must be true or false, got ${describe(value)}` });
}

/** Validates the fields of a cron task spec (see `CronTaskSpec`). Unknown values are skipped. */
export function validateCronTaskSpec(spec: Record<string, unknown>, opts: ValidateOptions = {}): ValidationIssue[] {
  const bad = notAnObject(spec);
  if (bad) return bad;
  const isUnknown = opts.isUnknown ?? (() => false);
  const issues: ValidationIssue[] = [];
  const v = (k: string) => (isUnknown(spec[k]) ? undefined : spec[k]);
  if (spec.url === undefined || spec.url === null) {
    if (!opts.partial) issues.push({ field: "url", message: "is required (the http(s) URL Runlater calls, e.g. https://example.com/health)" });
  } else if (!isUnknown(spec.url)) {
    const trusted = typeof spec.url === "string" && (opts.trustedOrigins ?? []).some((o) => originOf(spec.url as string) === o);
    const m = checkHttpUrl(spec.url, { private: opts.allowPrivateTargets === true || trusted });
    if (m) issues.push({ field: "url", message: m });
  }
  if (!isUnknown(spec.cron) && spec.cron !== undefined) {
    const m = checkCron(spec.cron);
    if (m) issues.push({ field: "cron", message: m });
  }
  checkName(v("name"), "name", false, issues);
  checkMethod(v("method"), "method", issues);
  checkInt(v("timeoutMs"), "timeoutMs", LIMITS.timeoutMs.min, LIMITS.timeoutMs.max, " ms", issues);
  const codes = v("expectedStatusCodes");
  if (codes !== undefined && codes !== null) {
    if (!Array.isArray(codes)) {
      issues.push({ field: "expectedStatusCodes", message: "must be an array of HTTP status codes (100..599), e.g. [200]" });
    } else {
      if (codes.length === 0) {
        issues.push({
          field: "expectedStatusCodes",
          message: "must not be empty: omit it (any 2xx counts) or list codes (100..599), e.g. [200]",
        });
      }
      codes.forEach((c, i) => {
        if (isUnknown(c)) return;
        if (typeof c !== "number" || !Number.isInteger(c) || c < 100 || c > 599) {
          issues.push({ field: `expectedStatusCodes[${i}]`, message: `must be an integer from 100 to 599, got ${describe(c)}` });
        }
      });
    }
  }
  const pattern = v("expectedBodyPattern");
  if (pattern !== undefined && pattern !== null && typeof pattern !== "string") {
    issues.push({ field: "expectedBodyPattern", message: "must be a string (a case-sensitive substring)" });
  }
  checkHeaders(spec.headers, "headers", issues, isUnknown);
  checkBody(v("body"), "body", issues);
  checkBool(v("enabled"), "enabled", issues);
  checkOptionalUrl(spec.onFailureUrl, "onFailureUrl", issues, isUnknown);
  checkOptionalUrl(spec.onRecoveryUrl, "onRecoveryUrl", issues, isUnknown);
  checkBool(v("notifyOnFailure"), "notifyOnFailure", issues);
  checkBool(v("notifyOnRecovery"), "notifyOnRecovery", issues);
  return issues;
}

/** Validates the fields of an endpoint spec (see `EndpointSpec`). Unknown values are skipped. */
export function validateEndpointSpec(spec: Record<string, unknown>, opts: ValidateOptions = {}): ValidationIssue[] {
  const bad = notAnObject(spec);
  if (bad) return bad;
  const isUnknown = opts.isUnknown ?? (() => false);
  const issues: ValidationIssue[] = [];
  const v = (k: string) => (isUnknown(spec[k]) ? undefined : spec[k]);
  checkName(v("name"), "name", !isUnknown(spec.name) && !opts.partial, issues);
  const urls = spec.forwardUrls;
  if (!isUnknown(urls) && !(opts.partial && urls === undefined)) {
    if (!Array.isArray(urls)) {
      issues.push({ field: "forwardUrls", message: "is required: an array of 1 to 10 http(s) URLs" });
    } else {
      if (urls.length < LIMITS.forwardUrls.min || urls.length > LIMITS.forwardUrls.max) {
        issues.push({ field: "forwardUrls", message: `must have 1 to 10 URLs, got ${urls.length}` });
      }
      urls.forEach((u, i) => {
        if (isUnknown(u)) return;
        const m = checkHttpUrl(u);
        if (m) issues.push({ field: `forwardUrls[${i}]`, message: m });
      });
    }
  }
  checkHeaders(spec.forwardHeaders, "forwardHeaders", issues, isUnknown);
  const body = v("forwardBody");
  if (body !== undefined && body !== null) {
    if (typeof body !== "string") {
      issues.push({ field: "forwardBody", message: "must be a string (objects are JSON-serialized before this check)" });
    } else if (Buffer.byteLength(body, "utf8") > LIMITS.bodyBytes.max) {
      issues.push({ field: "forwardBody", message: `must be at most 256 KB (${LIMITS.bodyBytes.max} bytes UTF-8)` });
    }
  }
  checkMethod(v("forwardMethod"), "forwardMethod", issues);
  checkInt(v("retryAttempts"), "retryAttempts", LIMITS.retryAttempts.min, LIMITS.retryAttempts.max, "", issues);
  checkBool(v("useQueue"), "useQueue", issues);
  checkBool(v("enabled"), "enabled", issues);
  checkOptionalUrl(spec.onFailureUrl, "onFailureUrl", issues, isUnknown);
  checkOptionalUrl(spec.onRecoveryUrl, "onRecoveryUrl", issues, isUnknown);
  checkBool(v("notifyOnFailure"), "notifyOnFailure", issues);
  checkBool(v("notifyOnRecovery"), "notifyOnRecovery", issues);
  return issues;
}

/**
 * Validates the fields of a heartbeat monitor spec (see `MonitorSpec`), by the server's rules
 * (`app/monitors/monitor.ex` `changeset`/`validate_schedule`): `name` and `scheduleType`
 * required; `intervalSeconds` 60..604800 required for `interval`; a 5-field `cronExpression`
 * required for `cron`; `gracePeriodSeconds` 0..3600; hook URLs http(s) with a host.
 * Unknown values are skipped; with `partial`, absent fields are not required.
 */
export function validateMonitorSpec(spec: Record<string, unknown>, opts: ValidateOptions = {}): ValidationIssue[] {
  const bad = notAnObject(spec);
  if (bad) return bad;
  const isUnknown = opts.isUnknown ?? (() => false);
  const issues: ValidationIssue[] = [];
  const v = (k: string) => (isUnknown(spec[k]) ? undefined : spec[k]);
  const required = (k: string) => !opts.partial && !isUnknown(spec[k]);
  checkName(v("name"), "name", required("name"), issues);
  const type = v("scheduleType");
  if (type === undefined || type === null) {
    if (required("scheduleType")) {
      issues.push({ field: "scheduleType", message: `is required: one of ${MONITOR_SCHEDULE_TYPES.join(", ")}` });
    }
  } else if (typeof type !== "string" || !(MONITOR_SCHEDULE_TYPES as readonly string[]).includes(type)) {
    issues.push({ field: "scheduleType", message: `must be one of ${MONITOR_SCHEDULE_TYPES.join(", ")}, got ${describe(type)}` });
  }
  const interval = v("intervalSeconds");
  if ((interval === undefined || interval === null) && type === "interval" && required("intervalSeconds")) {
    issues.push({
      field: "intervalSeconds",
      message: `is required when scheduleType is "interval": an integer from ${LIMITS.intervalSeconds.min} to ${LIMITS.intervalSeconds.max} seconds`,
    });
  }
  checkInt(interval, "intervalSeconds", LIMITS.intervalSeconds.min, LIMITS.intervalSeconds.max, " seconds", issues);
  const cron = v("cronExpression");
  if (cron === undefined || cron === null) {
    if (type === "cron" && required("cronExpression")) {
      issues.push({ field: "cronExpression", message: 'is required when scheduleType is "cron": a 5-field cron expression (UTC), e.g. "*/5 * * * *"' });
    }
  } else {
    const m = checkCron(cron);
    if (m) issues.push({ field: "cronExpression", message: m });
  }
  checkInt(
    v("gracePeriodSeconds"),
    "gracePeriodSeconds",
    LIMITS.gracePeriodSeconds.min,
    LIMITS.gracePeriodSeconds.max,
    " seconds",
    issues,
  );
  checkBool(v("enabled"), "enabled", issues);
  checkOptionalUrl(spec.onFailureUrl, "onFailureUrl", issues, isUnknown);
  checkOptionalUrl(spec.onRecoveryUrl, "onRecoveryUrl", issues, isUnknown);
  checkBool(v("notifyOnFailure"), "notifyOnFailure", issues);
  checkBool(v("notifyOnRecovery"), "notifyOnRecovery", issues);
  return issues;
}

/** A value cut to `n` characters for a message, with anything credential-shaped scrubbed first. */
function truncate(s: string, n = 80): string {
  const clean = scrubCredentials(s.length > 4096 ? s.slice(0, 4096) : s);
  return clean.length > n ? `${clean.slice(0, n)}…` : clean;
}

function describe(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "string") return JSON.stringify(truncate(v, 40));
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/** `scheme://host[:port]` of a URL, or undefined. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
