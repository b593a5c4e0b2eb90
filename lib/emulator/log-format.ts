/**
 * The `--verbose` request log line. A line never holds headers, bodies or query strings; secrets
 * in paths (inbound slugs `/in/<slug>`, heartbeat ping tokens `/ping/<token>`) are shortened to
 * their first characters; control characters are escaped, so a path with `%0A` (decoded to a
 * newline) cannot forge a second log line.
 */

/** Characters escaped in a log line: C0/C1 controls, space, DEL and the Unicode line separators. */
const UNSAFE = /[\x00-\x20\x7f-\x9f\u2028\u2029]/g;

/** Escapes control characters (and space) as `%XX` / `\uXXXX`. */
export function escapeForLog(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `%${code.toString(16).toUpperCase().padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** A path with secret segments shortened: `/in/ep_AbCd…`, `/ping/AbCd…`. */
export function redactPath(path: string): string {
  const inbound = /^\/in\/([^/]*)(.*)$/s.exec(path);
  if (inbound) return `/in/${shorten(inbound[1], inbound[2], 7)}`;
  const ping = /^\/ping\/([^/]*)(.*)$/s.exec(path);
  if (ping) return `/ping/${shorten(ping[1], ping[2], 4)}`;
  return path;
}

/** The first `keep` characters of a secret segment, then `…` when anything (segment or rest) was cut. */
function shorten(segment: string, rest: string, keep: number): string {
  return segment.length > keep || rest !== "" ? `${segment.slice(0, keep)}…` : segment;
}

/** One log line: `<emulator time> <METHOD> <path> <route> <status|->[ [fault: kind]]`. */
export function formatLogLine(e: { at: string; method: string; path: string; route: string; status: number; fault?: string }): string {
  const path = escapeForLog(redactPath(e.path));
  return `${e.at} ${escapeForLog(e.method)} ${path} ${e.route} ${e.status || "-"}${e.fault ? ` [fault: ${escapeForLog(e.fault)}]` : ""}`;
}
