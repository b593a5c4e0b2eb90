/**
 * Test helper for the emulator's control API: every call carries the run's control token
 * (`X-Emulator-Token`), as the control API requires.
 */
import type { Emulator } from "../../lib/emulator";

/** Headers of a control call (token + JSON content type). */
export function controlHeaders(emu: Emulator): Record<string, string> {
  return { "x-emulator-token": emu.controlToken, "content-type": "application/json" };
}

/** `fetch` of `<emu.url>/_emulator<p>` with the token; `body` is JSON-encoded unless a string. */
export function controlFetch(emu: Emulator, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emu.url}/_emulator${p}`, {
    method,
    headers: { ...controlHeaders(emu), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A parsed control API answer. */
export interface ControlAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/** A control client bound to an emulator: resolves with the status and the parsed JSON body. */
export function controlClient(emu: () => Emulator): (method: string, p: string, body?: unknown, headers?: Record<string, string>) => Promise<ControlAnswer> {
  return async (method, p, body, headers = {}) => {
    const r = await controlFetch(emu(), method, p, body, headers);
    const text = await r.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed, headers: r.headers };
  };
}
