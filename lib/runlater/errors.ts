/**
 * The single error type the Runlater client throws. It carries what a caller needs to decide
 * (status, API code, field errors, operation) and never the Authorization header or any secret.
 */

/** What kind of failure this is, for callers that branch on it. */
export type RunlaterErrorKind =
  /** The API answered with a non-2xx status. */
  | "http"
  /** No usable answer: connection refused/reset, DNS, TLS, or the per-request timeout. */
  | "network"
  /** Retries ran out (attempts or total time); `cause` is the last failure. */
  | "exhausted"
  /** Input rejected locally before any call: nothing was sent. */
  | "validation"
  /**
   * The API answered 2xx but not with what Runlater sends (not JSON, no `data` envelope, a
   * non-object). For a create, the object may exist: see `objectId` and `idempotencyKey`.
   */
  | "protocol";

/** Error thrown by {@link RunlaterClient}. */
export class RunlaterApiError extends Error {
  /** HTTP status, or 0 when no response was received. */
  readonly status: number;
  /** Runlater's error code (`not_found`, `validation_error`, …) when the body had one. */
  readonly code?: string;
  /** Field → messages, from a 422 `validation_error`. */
  readonly fieldErrors?: Record<string, string[]>;
  /** The client operation, e.g. `tasks.create`. */
  readonly operation: string;
  /** Failure class. */
  readonly kind: RunlaterErrorKind;
  /** Number of HTTP attempts made. */
  readonly attempts: number;
  /**
   * The `Idempotency-Key` the request carried. After a `protocol` or `network` failure of a
   * create, repeating the create with this key (within 24 h) returns the object it made instead
   * of a duplicate.
   */
  readonly idempotencyKey?: string;
  /** Id of the object the request created or touched, when it could be read from a broken reply. */
  readonly objectId?: string;

  constructor(init: {
    message: string;
    operation: string;
    kind: RunlaterErrorKind;
    status?: number;
    code?: string;
    fieldErrors?: Record<string, string[]>;
    attempts?: number;
    cause?: unknown;
    idempotencyKey?: string;
    objectId?: string;
  }) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    // Pulumi's closure serializer turns `super(…)` into `Error.call(this, …)`, which sets nothing
    // on `this`: a deserialized provider's errors would have no message. Set it explicitly.
    if (this.message !== init.message) {
      Object.defineProperty(this, "message", { value: init.message, writable: true, configurable: true, enumerable: false });
      if (init.cause !== undefined) Object.defineProperty(this, "cause", { value: init.cause, writable: true, configurable: true, enumerable: false });
      if (!this.stack) Object.defineProperty(this, "stack", { value: `RunlaterApiError: ${init.message}`, writable: true, configurable: true, enumerable: false });
    }
    // Assigned here, not as a class field: Pulumi's closure serializer drops field initializers.
    this.name = "RunlaterApiError";
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status ?? 0;
    this.code = init.code;
    this.fieldErrors = init.fieldErrors;
    this.attempts = init.attempts ?? 1;
    if (init.idempotencyKey !== undefined) this.idempotencyKey = init.idempotencyKey;
    if (init.objectId !== undefined) this.objectId = init.objectId;
  }

  /** True when the object does not exist (or belongs to another organisation). */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/**
 * Type guard for {@link RunlaterApiError}. Structural, not `instanceof`: a provider that Pulumi
 * serialized and loaded again has its own copy of the class.
 */
export function isRunlaterApiError(e: unknown): e is RunlaterApiError {
  if (e instanceof RunlaterApiError) return true;
  const o = e as { name?: unknown; status?: unknown; operation?: unknown; kind?: unknown } | null;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.status === "number" &&
    typeof o.operation === "string" &&
    typeof o.kind === "string"
  );
}

/** True when `e` is a Runlater 404. */
export function isNotFound(e: unknown): boolean {
  return isRunlaterApiError(e) && e.status === 404;
}

/**
 * Replaces every occurrence of each secret in `text` with `***`. Secrets shorter than 4 characters
 * are ignored (they would mangle ordinary text and are not meaningful secrets).
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("***");
  }
  return out;
}

/**
 * Scrubs what looks like a credential even when we did not know it was one: URL userinfo,
 * URL query values, `Bearer …`, and Runlater's capability tokens (`ep_…` slugs, `pm_…` ping
 * tokens, `sk_…` secrets, `whsec_…`).
 */
export function scrubCredentials(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]*@/gi, "$1***@")
    .replace(/([?&][^=&#\s"'<>]*=)[^&#\s"'<>]*/g, "$1***")
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, "$1 ***")
    .replace(/\b(ep|pm|sk|whsec)_[A-Za-z0-9_-]{6,}/g, "$1_***");
}
