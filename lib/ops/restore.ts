/**
 * The two write actions of a drill and their undo: trigger an endpoint's inbound URL (the hook a
 * health check would call), and put a health check's URL back, verified field by field.
 */
import type { RunlaterClient } from "../runlater/client";
import type { Task } from "../runlater/model";

/** Result of an action: `detail` is secret-free (never an inbound URL). */
export interface ActionResult {
  ok: boolean;
  detail: string;
}

/**
 * POSTs an endpoint's inbound URL, as Runlater's `on_failure_url` hook does. The inbound route
 * is not part of the API client (no auth, capability URL), so it is a plain request here.
 */
export async function triggerInbound(inboundUrl: string, f: typeof fetch = fetch, timeoutMs = 30_000): Promise<ActionResult> {
  try {
    const res = await f(inboundUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "runlater-iac-drill" },
      body: JSON.stringify({ event: "runlater-iac.drill" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { ok: res.status >= 200 && res.status < 300, detail: `inbound answered ${res.status}` };
  } catch (e) {
    return { ok: false, detail: `inbound request failed: ${(e as Error).name === "TimeoutError" ? "timeout" : (e as Error).message}` };
  }
}

/** Task fields a drill must leave exactly as they were (everything a user configures). */
export const TASK_FIELDS = [
  "name",
  "url",
  "method",
  "headers",
  "body",
  "scheduleType",
  "cronExpression",
  "enabled",
  "timeoutMs",
  "retryAttempts",
  "expectedStatusCodes",
  "expectedBodyPattern",
  "queue",
  "notifyOnFailure",
  "notifyOnRecovery",
  "onFailureUrl",
  "onRecoveryUrl",
] as const satisfies readonly (keyof Task)[];

/** Names of the fields whose values differ (JSON comparison). */
export function taskDiff(a: Task, b: Task): string[] {
  return TASK_FIELDS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Sets the task's URL back to `original.url` (up to 3 attempts) and checks every field against `original`. */
export async function restoreTaskUrl(client: RunlaterClient, original: Task): Promise<ActionResult> {
  let last = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await client.updateCronTask(original.id, { url: original.url });
      const now = await client.getTask(original.id);
      const diff = taskDiff(original, now);
      if (diff.length === 0) return { ok: true, detail: "every field as before" };
      last = `fields differ after restoring: ${diff.join(", ")}`;
    } catch (e) {
      last = (e as Error).message;
    }
  }
  return { ok: false, detail: last };
}
