/**
 * Test harness for the DNS emulators: mounts RouteDef[] on a real node:http server with
 * find-my-way (the way the emulator core does), and sends stored requests with global fetch.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import FindMyWay from "find-my-way";
import type { ForwardRequest } from "../../lib/dns";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "../../lib/emulator/types";

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Route names of the requests served, in order. */
  hits: string[];
  close(): Promise<void>;
}

/** Serves `routes` (or an emulator's routes) on 127.0.0.1 with an ephemeral port. */
export async function serve(source: RouteDef[] | DnsProviderEmulator | DnsProviderEmulator[]): Promise<TestServer> {
  const routes: RouteDef[] = Array.isArray(source)
    ? source.flatMap((s) => ("routes" in s ? (s as DnsProviderEmulator).routes() : [s as RouteDef]))
    : source.routes();
  const router = FindMyWay();
  const noop = () => undefined;
  for (const r of routes) {
    if (r.method === "*") router.all(r.path, noop, r);
    else router.on(r.method as FindMyWay.HTTPMethod, r.path, noop, r);
  }
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const rawUrl = req.url ?? "/";
        const q = rawUrl.indexOf("?");
        const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
        const found = router.find((req.method ?? "GET") as FindMyWay.HTTPMethod, path);
        if (!found) {
          res.writeHead(404, { "content-type": "text/plain" }).end("no route");
          return;
        }
        const def = found.store as RouteDef;
        hits.push(def.name);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        const params: Record<string, string> = {};
        for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = v;
        const addr = server.address() as AddressInfo;
        const emuReq: EmuRequest = {
          method: (req.method ?? "GET").toUpperCase(),
          path: decodeURI(path),
          params,
          query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : ""),
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          remoteAddress: req.socket.remoteAddress ?? "127.0.0.1",
          origin: `http://127.0.0.1:${addr.port}`,
        };
        let out: EmuResponse;
        try {
          out = await def.handler(emuReq);
        } catch (e) {
          out = { status: 500, body: { error: String(e) } };
        }
        const h: Record<string, string> = { ...(out.headers ?? {}) };
        let payload = "";
        if (out.body !== undefined) {
          if (typeof out.body === "string") payload = out.body;
          else {
            payload = JSON.stringify(out.body);
            h["content-type"] = "application/json";
          }
        }
        res.writeHead(out.status, h).end(payload);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A parsed response. */
export interface Sent {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function read(res: Response): Promise<Sent> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Sends a stored request exactly as Runlater would forward it. */
export async function sendForward(req: ForwardRequest): Promise<Sent> {
  return read(await fetch(req.url, { method: req.method, headers: req.headers, body: req.body }));
}

/** Sends a JSON API call (lookups, seeding through the API, error paths). */
export async function call(method: string, url: string, opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers["authorization"] = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  return read(await fetch(url, { method, headers, body }));
}
