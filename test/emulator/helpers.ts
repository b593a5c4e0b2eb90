/**
 * Shared test helpers: a JSON API client for the emulator and a small local HTTP server that a
 * test flips between ok / fail / hang and that records what it receives.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A parsed response. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A JSON client bound to a base URL and an API key. */
export function apiClient(baseUrl: () => string, key: string) {
  return async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const res = await fetch(`${baseUrl()}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}

/** One request a {@link TestServer} received. */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A local target: `mode` decides the answer unless `queue` holds one-shot statuses. */
export interface TestServer {
  url: string;
  mode: "ok" | "fail" | "hang";
  /** Status answered in fail mode. */
  failStatus: number;
  /** Body answered in ok mode. */
  okBody: string;
  /** One-shot answers, consumed first (status, optional headers and body; the body defaults to the status). */
  queue: Array<{ status: number; headers?: Record<string, string>; body?: string }>;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a target on 127.0.0.1:0. */
export async function startTestServer(): Promise<TestServer> {
  const state = {
    mode: "ok" as "ok" | "fail" | "hang",
    failStatus: 503,
    okBody: "ok",
    queue: [] as Array<{ status: number; headers?: Record<string, string>; body?: string }>,
    received: [] as Received[],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      if (req.url === "/ok") {
        // Redirect landing page (for redirect tests): always 200.
        state.received.push({ method: req.method ?? "", path: req.url, headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end("ok");
        return;
      }
      state.received.push({ method: req.method ?? "", path: req.url ?? "", headers, body: Buffer.concat(chunks).toString("utf8") });
      const once = state.queue.shift();
      if (once) {
        res.writeHead(once.status, once.headers ?? {}).end(once.body ?? String(once.status));
        return;
      }
      if (state.mode === "hang") return;
      if (state.mode === "fail") res.writeHead(state.failStatus).end("down");
      else res.writeHead(200).end(state.okBody);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

/** Resolver stub for the SSRF check: `*.private.test` → 10.0.0.5, everything else → a public address. */
export async function stubResolver(host: string): Promise<string[]> {
  if (host.endsWith(".private.test")) return ["10.0.0.5"];
  if (host.endsWith(".v6private.test")) return ["fd00::1"];
  if (host.endsWith(".broken.test")) throw new Error("ENOTFOUND");
  return ["93.184.216.34"];
}

export const MIN = 60_000;
