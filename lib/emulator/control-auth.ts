/**
 * Who may use the control API (`/_emulator/*`). It reads DNS tokens, slugs and webhook secrets
 * (`GET /_emulator/state`) and moves the clock, so a request must pass every check:
 *
 * 1. the peer is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x);
 * 2. `Host` names this emulator: `localhost`, an IP literal, the bound host name, or one of
 *    `controlHosts` (a DNS-rebinding page arrives with its own host name and is refused);
 * 3. an `Origin` header, when sent (browsers send one on cross-origin and on POST requests),
 *    is `http://` + such a host (`Origin: null` is refused);
 * 4. the per-run token: `X-Emulator-Token: <token>` or `Authorization: Bearer <token>`
 *    (generated at start unless `controlToken` is given; `Emulator.controlToken`).
 *
 * The built-in health targets' hits (`GET|HEAD /_emulator/targets/:name`, any method on
 * `/_emulator/targets/:name/hit`) are exempt: health checks from anywhere hit them, and they
 * only answer the configured status. Configuring a target (`POST /_emulator/targets/:name`)
 * is a control call.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { EmuResponse } from "./types";

/** Shortest `controlToken` accepted (characters). */
export const MIN_CONTROL_TOKEN_LENGTH = 16;

/** A fresh control token: `emu_` + 32 hex characters (128 random bits). */
export function generateControlToken(): string {
  return `emu_${randomBytes(16).toString("hex")}`;
}

/** Throws for a `controlToken` option that is too short or not a header-safe token. */
export function checkControlToken(token: unknown): string {
  if (typeof token !== "string" || token.length < MIN_CONTROL_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(`controlToken must be a string of at least ${MIN_CONTROL_TOKEN_LENGTH} printable characters without spaces`);
  }
  return token;
}

function isLoopbackPeer(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

/** The host name of a `Host` header value or an origin's authority (port and brackets removed), lower-cased. */
function hostName(authority: string): string | undefined {
  const a = authority.trim().toLowerCase();
  if (a === "") return undefined;
  if (a.startsWith("[")) {
    const end = a.indexOf("]");
    return end < 0 ? undefined : a.slice(1, end);
  }
  const colon = a.indexOf(":");
  return colon < 0 ? a : a.slice(0, colon);
}

/** Options of {@link createControlAuth}. */
export interface ControlAuthOptions {
  /** The token every control call must carry. */
  token: string;
  /** The interface the server is bound to (`host` option). */
  boundHost: string;
  /** Extra host names accepted in `Host`/`Origin` (lower-cased). @default [] */
  extraHosts?: string[];
}

/** A request as the check sees it. */
export interface ControlRequestView {
  headers: Readonly<Record<string, string>>;
  remoteAddress: string;
}

/** The control API's gate: `check` returns the refusal to send, or undefined when the call may run. */
export function createControlAuth(o: ControlAuthOptions): { check(req: ControlRequestView): EmuResponse | undefined } {
  const expected = Buffer.from(o.token);
  const hosts = new Set(["localhost", o.boundHost.toLowerCase().replace(/^\[|\]$/g, ""), ...(o.extraHosts ?? []).map((h) => h.toLowerCase())]);
  const hostAllowed = (name: string | undefined) => name !== undefined && (hosts.has(name) || isIP(name) !== 0);
  const refuse = (status: number, error: string): EmuResponse => ({ status, body: { error } });
  const tokenOk = (given: string | undefined) => {
    if (given === undefined) return false;
    const b = Buffer.from(given);
    return b.length === expected.length && timingSafeEqual(b, expected);
  };
  return {
    check(req) {
      if (!isLoopbackPeer(req.remoteAddress)) return refuse(403, "the control API answers loopback clients only");
      if (!hostAllowed(hostName(req.headers.host ?? ""))) return refuse(403, "the control API refuses this Host header (DNS rebinding guard)");
      const origin = req.headers.origin;
      if (origin !== undefined) {
        const m = /^http:\/\/([^/]+)$/i.exec(origin.trim());
        if (!m || !hostAllowed(hostName(m[1]))) return refuse(403, "the control API refuses cross-origin requests");
      }
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
      if (!tokenOk(req.headers["x-emulator-token"]) && !tokenOk(bearer?.[1])) {
        return refuse(401, "the control API needs the emulator's control token (X-Emulator-Token header; Emulator.controlToken, printed by the CLI at start)");
      }
      return undefined;
    },
  };
}
