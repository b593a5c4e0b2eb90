/**
 * Contracts shared by the pieces of the emulator: the HTTP server core (router, auth, faults,
 * request counting) mounts route modules written against these types. A route module knows
 * nothing about sockets; it gets a parsed request and returns a response.
 */

/** A parsed inbound HTTP request as a route handler sees it. */
export interface EmuRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path without query string, e.g. `/client/v4/zones/abc/dns_records`. */
  readonly path: string;
  /** Route parameters from the pattern (`/zones/:zoneId` → `{ zoneId }`). */
  readonly params: Readonly<Record<string, string>>;
  /** Query string parameters. */
  readonly query: URLSearchParams;
  /** Request headers, names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw request body as UTF-8 text ("" when absent). */
  readonly body: string;
  /** Peer address (IPv4/IPv6 literal). */
  readonly remoteAddress: string;
  /** Scheme + host + port the request was addressed to, e.g. `http://127.0.0.1:4010`. */
  readonly origin: string;
}

/** What a handler returns. `body` objects are JSON-encoded; strings are sent as-is. */
export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON value, text, or undefined for an empty body (e.g. 204). */
  body?: unknown;
}

/** A route handler. May be async. Throwing yields a 500 with a generic body. */
export type EmuHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

/** One route: method (or "*" for any) + find-my-way style pattern (`/zones/:zoneId`). */
export interface RouteDef {
  readonly method: string | "*";
  readonly path: string;
  readonly handler: EmuHandler;
  /**
   * Name used for request counting and fault injection, e.g. `cloudflare.dns_records.patch`
   * or `runlater.tasks.create`. Stable, dotted, lower-case.
   */
  readonly name: string;
}

/**
 * A simulated DNS provider API mounted into the emulator. Each provider keeps its own record
 * store in memory; `snapshot`/`restore` let the server persist state with `--state FILE`.
 */
export interface DnsProviderEmulator {
  /** Short id: "cloudflare" | "digitalocean" | "hetzner" | "porkbun" | "generic". */
  readonly id: string;
  /** Path prefix the routes live under, e.g. `/client/v4`. */
  readonly prefix: string;
  /** Routes to mount (paths include the prefix). */
  routes(): RouteDef[];
  /** JSON-serialisable copy of the whole store. */
  snapshot(): unknown;
  /** Replace the store with a snapshot produced by `snapshot()`. */
  restore(snapshot: unknown): void;
  /** Number of records held (used by the emulator's object count). */
  recordCount(): number;
}
