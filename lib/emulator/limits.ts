/**
 * What the emulator's HTTP server keeps from a request, and the checks that turn hostile input
 * into a 4xx instead of a crash or unbounded memory:
 *
 * | what | limit | answer |
 * |---|---|---|
 * | request body, `/api/v1`, `/in/*`, DNS APIs | 8,000,000 bytes (Plug.Parsers' default `length`, app_web/endpoint.ex) | 413 |
 * | request body, `/_emulator/*` | 1 MiB | 413 |
 * | request body, `/_generic/*` (unauthenticated capture target) | 64 KiB | 413 |
 * | JSON nesting of a parsed body (all but `/in/*`, `/_generic/*`, target hits) | 64 levels | 400 |
 * | generic captures kept (memory and state file) | newest 1,000 and at most 1 MiB of bodies | oldest dropped |
 * | request line / headers | Node's defaults (16 KiB of headers) | 400 / 431 by Node |
 */
import type { GenericCaptureEmulator } from "./dns-generic";
import type { EmuResponse, RouteDef } from "./types";

/** Largest body of Runlater API, inbound and DNS API requests (bytes). */
export const MAX_API_BODY_BYTES = 8_000_000;
/** Largest body of a control API request (bytes). */
export const MAX_CONTROL_BODY_BYTES = 1_048_576;
/** Largest body of a `/_generic/*` request (bytes): a DNS update is a few hundred bytes. */
export const MAX_GENERIC_BODY_BYTES = 65_536;
/** Deepest JSON nesting accepted in a request body that a handler parses. */
export const MAX_JSON_DEPTH = 64;
/** Generic captures kept: at most this many … */
export const MAX_GENERIC_CAPTURES = 1000;
/** … and at most this many bytes of captured bodies. */
export const MAX_GENERIC_CAPTURE_BYTES = 1_048_576;

/** Body limit for a request path (raw pathname). */
export function bodyLimitFor(path: string): number {
  if (path === "/_generic" || path.startsWith("/_generic/")) return MAX_GENERIC_BODY_BYTES;
  if (path === "/_emulator" || path.startsWith("/_emulator/")) return MAX_CONTROL_BODY_BYTES;
  return MAX_API_BODY_BYTES;
}

/** Whether the route parses its body as JSON (so nesting depth matters). Opaque bodies are not checked. */
export function parsesJsonBody(path: string, routeName: string): boolean {
  if (path.startsWith("/in/") || path === "/_generic" || path.startsWith("/_generic/")) return false;
  return routeName !== "emulator.targets.hit";
}

/**
 * Nesting depth of `{`/`[` outside JSON strings, scanning at most until it exceeds `limit`
 * (linear time, no recursion, no parse). Text that is not JSON gets some number; the caller
 * only compares it with the limit and lets the handler report malformed JSON.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The 400 for a body nested too deep, in the shape of the route family's other 400s. */
export function tooDeepResponse(path: string): EmuResponse {
  const message = `request body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (path.startsWith("/api/v1")) return { status: 400, body: { error: { code: "bad_request", message } } };
  return { status: 400, body: { error: message } };
}

/** The 413 for a body over {@link bodyLimitFor}. */
export function tooLargeResponse(limit: number): EmuResponse {
  return { status: 413, body: { error: `request body too large (limit ${limit} bytes)` }, headers: { connection: "close" } };
}

/**
 * Wraps the generic capture routes so the capture list stays within {@link MAX_GENERIC_CAPTURES}
 * and {@link MAX_GENERIC_CAPTURE_BYTES}: once over, the oldest captures are dropped down to 90 %
 * of both limits (amortised: a trim copies the list once per ~100 captures).
 */
export function boundedCaptureRoutes(routes: RouteDef[], generic: GenericCaptureEmulator, max = MAX_GENERIC_CAPTURES, maxBytes = MAX_GENERIC_CAPTURE_BYTES): RouteDef[] {
  let bytes = 0;
  const trim = () => {
    const snap = generic.snapshot() as { requests: Array<{ body: string }> } & Record<string, unknown>;
    const keep: Array<{ body: string }> = [];
    let kept = 0;
    for (let i = snap.requests.length - 1; i >= 0; i--) {
      const b = snap.requests[i].body.length;
      if (keep.length >= Math.floor(max * 0.9) || kept + b > maxBytes * 0.9) break;
      keep.push(snap.requests[i]);
      kept += b;
    }
    generic.restore({ ...snap, requests: keep.reverse() });
    bytes = kept;
  };
  return routes.map((r) => ({
    ...r,
    handler: async (req) => {
      const out = await r.handler(req);
      bytes += req.body.length;
      if (generic.recordCount() > max || bytes > maxBytes) trim();
      return out;
    },
  }));
}
