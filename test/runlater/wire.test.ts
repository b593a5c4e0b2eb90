/**
 * Tolerant reader (issue 10 §5): replies in the server code's field names and in the newer
 * docs' names (`cron`, `run_at`, `lane`, `use_lane`) map to the same model, so a newer server
 * does not make every deploy show a diff. Also: malformed replies are typed errors.
 */
import { closeAllPools, RunlaterApiError, RunlaterClient } from "../../lib/runlater";
import { endpointFromWire, errorFromWire, monitorFromWire, taskFromWire, tolerantWire, WIRE_ALIASES } from "../../lib/runlater/wire";
import { type FakeRunlater, startFakeRunlater } from "./fake-runlater";

const TASK_ID = "0190c0de-0000-7000-8000-0000000000a1";
const EP_ID = "0190c0de-0000-7000-8000-0000000000b2";

/** A task as `api/task_controller.ex` `task_json` sends it (legacy names). */
const legacyTask = {
  id: TASK_ID,
  name: "h",
  url: "https://example.com/health",
  method: "GET",
  headers: {},
  body: null,
  schedule_type: "cron",
  cron_expression: "*/5 * * * *",
  scheduled_at: null,
  enabled: true,
  timeout_ms: 10000,
  retry_attempts: 0,
  expected_status_codes: "200,204",
  expected_body_pattern: null,
  queue: "q1",
  notify_on_failure: null,
  notify_on_recovery: null,
  on_failure_url: "https://runlater.eu/in/ep_f",
  on_recovery_url: null,
  next_run_at: "2026-01-01T00:05:00Z",
  inserted_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

/** The same task in the newer docs' names (and status codes as an array). */
function newer<T extends Record<string, unknown>>(legacy: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...legacy };
  for (const [ours, theirs] of WIRE_ALIASES) {
    if (ours in out) {
      out[theirs] = out[ours];
      delete out[ours];
    }
  }
  return out;
}

const legacyEndpoint = {
  id: EP_ID,
  name: "flip",
  slug: "ep_abcdefabcdefabcdefabcdefabcdefab",
  inbound_url: "https://runlater.eu/in/ep_abcdefabcdefabcdefabcdefabcdefab",
  forward_urls: ["https://api.example.com/dns"],
  enabled: true,
  retry_attempts: 0,
  use_queue: false,
  forward_headers: {},
  forward_body: null,
  forward_method: "PATCH",
  inserted_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

describe("one place maps the newer names", () => {
  it("WIRE_ALIASES is exactly the four renames of issue 10 §5", () => {
    expect(WIRE_ALIASES).toEqual([
      ["cron_expression", "cron"],
      ["scheduled_at", "run_at"],
      ["queue", "lane"],
      ["use_queue", "use_lane"],
    ]);
  });

  it("a task reads the same in both dialects", () => {
    const n = newer(legacyTask);
    expect(n).toHaveProperty("cron", "*/5 * * * *");
    expect(n).not.toHaveProperty("cron_expression");
    expect(taskFromWire({ ...n, expected_status_codes: [200, 204] })).toEqual(taskFromWire(legacyTask));
    expect(taskFromWire(n)).toMatchObject({ cronExpression: "*/5 * * * *", queue: "q1" });
  });

  it("a one-time task's run_at is its scheduledAt", () => {
    const once = { ...legacyTask, schedule_type: "once", cron_expression: null, scheduled_at: "2026-02-01T00:00:00Z" };
    expect(taskFromWire(newer(once)).scheduledAt).toBe("2026-02-01T00:00:00Z");
    expect(taskFromWire(newer(once))).toEqual(taskFromWire(once));
  });

  it("an endpoint's use_lane is its useQueue (false stays false)", () => {
    expect(endpointFromWire(newer(legacyEndpoint))).toEqual(endpointFromWire(legacyEndpoint));
    expect(endpointFromWire(newer(legacyEndpoint)).useQueue).toBe(false);
    expect(endpointFromWire({ ...legacyEndpoint, use_queue: undefined }).useQueue).toBe(true);
  });

  it("the name we read wins when both are present; null falls back to the newer one", () => {
    expect(tolerantWire({ queue: "a", lane: "b" }).queue).toBe("a");
    expect(tolerantWire({ queue: null, lane: "b" }).queue).toBe("b");
    expect(tolerantWire({ use_queue: false, use_lane: true }).use_queue).toBe(false);
  });

  it("a non-object `data` is a typed protocol error, not a TypeError", () => {
    for (const bad of [null, "x", 5, [], undefined]) {
      for (const f of [taskFromWire, endpointFromWire, monitorFromWire]) {
        let e: unknown;
        try {
          f(bad as never);
        } catch (x) {
          e = x;
        }
        expect(e).toBeInstanceOf(RunlaterApiError);
        expect((e as RunlaterApiError).kind).toBe("protocol");
      }
    }
  });

  it("error bodies of any shape become string lists (details values not arrays)", () => {
    expect(errorFromWire({ error: { code: "validation_error", details: { url: "is invalid", n: 5, o: { x: 1 }, a: ["x", 2, null] } } })).toEqual({
      code: "validation_error",
      message: "validation failed",
      fieldErrors: { url: ["is invalid"], n: ["5"], o: ["invalid"], a: ["x", "2", "null"] },
    });
    expect(errorFromWire({ error: { code: 5, details: [1, 2] } })).toEqual({ code: undefined, message: undefined, fieldErrors: undefined });
    expect(errorFromWire("text")).toEqual({});
  });
});

describe("the client against a newer server (fake replies)", () => {
  const KEY = "pk_test_wire.sk_test_wire_secret_0004";
  let fake: FakeRunlater;
  let client: RunlaterClient;
  beforeAll(async () => {
    fake = await startFakeRunlater(KEY);
    client = new RunlaterClient({ apiKey: KEY, baseUrl: fake.apiUrl, sleep: async () => undefined });
  });
  afterAll(async () => {
    await fake.close();
    await closeAllPools();
  });

  it.each(["legacy", "newer"] as const)("getTask / getEndpoint / listTasks read the %s dialect into the same model", async (dialect) => {
    const t = dialect === "legacy" ? legacyTask : newer(legacyTask);
    const e = dialect === "legacy" ? legacyEndpoint : newer(legacyEndpoint);
    fake.overrides.push(
      { method: "GET", path: new RegExp(`/tasks/${TASK_ID}$`), status: 200, body: { data: t } },
      { method: "GET", path: new RegExp(`/endpoints/${EP_ID}$`), status: 200, body: { data: e } },
      { method: "GET", path: /\/tasks$/, status: 200, body: { data: [t], has_more: false, limit: 50, offset: 0 } },
    );
    expect(await client.getTask(TASK_ID)).toEqual(taskFromWire(legacyTask));
    expect(await client.getEndpoint(EP_ID)).toEqual(endpointFromWire(legacyEndpoint));
    expect((await client.listTasks()).tasks).toEqual([taskFromWire(legacyTask)]);
  });
});
