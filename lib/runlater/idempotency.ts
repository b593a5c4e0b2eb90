/**
 * Idempotency keys for creates, and how Runlater treats them (read from the server code,
 * `app_web/plugs/idempotency.ex`, `app/idempotency.ex`, `app/cleanup.ex`):
 *
 * - The scope is (organisation, key). Method, path and body are NOT part of it: the same key on
 *   another route or with another body replays the first stored response.
 * - Only 2xx responses are stored. A stored one is replayed verbatim (same status and body,
 *   `content-type: application/json`), with no marker that it is a replay.
 * - The same key in flight: 409 `{"error": "Request in progress. Please wait and retry."}`. The
 *   lock is node-local (`:global.set_lock(…, [node()])`), so two servers can both run it.
 * - A daily cleanup (03:00 UTC) deletes rows older than 24 h; lookups do not check age. A stored
 *   reply is therefore replayed for at least 24 h and at most ~48 h.
 *
 * So a key must name exactly one logical create, and the same logical create must send the same
 * key: on every retry, and (for a caller-scoped create) in the next run after a lost reply.
 */
import { createHmac } from "node:crypto";
import type { ValidationIssue } from "./validate";

/** Longest `idempotencyScope` accepted, characters. */
export const IDEMPOTENCY_SCOPE_MAX_CHARS = 1000;

/** Prefix of keys derived from a scope (`rliac1-` + 43 base64url characters = 50 characters). */
export const DERIVED_KEY_PREFIX = "rliac1-";

/**
 * A create reply whose object is older than this (by the server's own clock: its `Date` header
 * against the object's `inserted_at`, both whole seconds) is a replay of an earlier create,
 * milliseconds. A fresh create's object is 0–1 s old when the reply is sent.
 */
export const REPLAY_MIN_AGE_MS = 5_000;

/**
 * Ids this process got back, live, from the replay of an older create. Such an object may
 * already be recorded by someone else: an engine replacing a resource with unchanged inputs
 * creates the new one (the replay hands back the old object) and then deletes the old id — which
 * must then be skipped. Kept on `globalThis` so every copy of this module sees one set.
 */
function adoptedIds(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  const k = Symbol.for("runlater-iac.adopted-by-replay");
  let s = g[k];
  if (!s) {
    s = new Set();
    g[k] = s;
  }
  return s;
}

/** Records that `id` came back from the replay of an older create (see {@link wasAdoptedByReplay}). */
export function markAdoptedByReplay(id: string): void {
  adoptedIds().add(id);
}

/**
 * True when this process got `id` back, live, from the replay of an older create: an engine's
 * delete of that id in the same run is the old half of a replacement and must not delete it.
 */
export function wasAdoptedByReplay(id: string): boolean {
  return adoptedIds().has(id);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Issues with an `idempotencyScope` (its value is never echoed: it may name private things). */
export function idempotencyScopeIssues(scope: unknown, key: unknown): ValidationIssue[] {
  if (scope === undefined) return [];
  if (key !== undefined) return [{ field: "idempotencyScope", message: "give idempotencyKey or idempotencyScope, not both" }];
  if (typeof scope === "string" && scope.length >= 1 && scope.length <= IDEMPOTENCY_SCOPE_MAX_CHARS && !LONE_SURROGATE.test(scope)) return [];
  return [{ field: "idempotencyScope", message: `must be a string of 1 to ${IDEMPOTENCY_SCOPE_MAX_CHARS} characters` }];
}

/**
 * The key of one logical create: HMAC-SHA256 over (scope, operation, canonical request body,
 * `salt`) keyed with the API key, so it is stable across runs and processes, different for any
 * other spec, and reveals nothing of the body (which may hold credentials) to whoever sees it.
 */
export function deriveIdempotencyKey(apiKey: string, scope: string, operation: string, body: unknown, salt = ""): string {
  const mac = createHmac("sha256", apiKey)
    .update(JSON.stringify([scope, operation, salt, canonicalJson(body, 0)]))
    .digest("base64url");
  return `${DERIVED_KEY_PREFIX}${mac}`;
}

/**
 * True when a create reply is the replay of an object made at least {@link REPLAY_MIN_AGE_MS}
 * earlier. False when either time is missing or unreadable (then nothing is assumed).
 */
export function isOldReplay(insertedAt: string, serverDate: string | undefined): boolean {
  if (!serverDate || !insertedAt) return false;
  const made = Date.parse(insertedAt);
  const now = Date.parse(serverDate);
  return Number.isFinite(made) && Number.isFinite(now) && now - made >= REPLAY_MIN_AGE_MS;
}

/** JSON with object keys sorted (bodies are validated, so depth is small; bounded anyway). */
function canonicalJson(v: unknown, depth: number): string {
  if (depth > 50) return '"…"';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x, depth + 1)).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x, depth + 1)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
