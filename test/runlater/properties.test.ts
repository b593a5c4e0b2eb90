/**
 * Property tests (fast-check, fixed seed; `FC_SEED` to explore) over hostile values for every
 * entry point of the Runlater client and its wire readers. Properties:
 * - every call settles in bounded time with a value or a `RunlaterApiError` (never a TypeError,
 *   RangeError or URIError);
 * - a `validation` error sent nothing; every request that was sent went to that entry point's
 *   route (an id never selects another route);
 * - no secret marker (put in headers, bodies, query strings and the API key) appears in an error.
 */
import fc from "fast-check";
import { fcSeed } from "../support/fc";
import { closeAllPools, RunlaterApiError, RunlaterClient } from "../../lib/runlater";
import { endpointFromWire, errorFromWire, executionFromWire, monitorFromWire, taskFromWire, taskPageFromWire } from "../../lib/runlater/wire";
import { type FakeRunlater, startFakeRunlater } from "./fake-runlater";

const SEED = fcSeed();
const RUNS = { seed: SEED, numRuns: 150 };
const SECRET = "zq-secret-7e2b91";
const KEY = `pk_test_prop.sk_test_${SECRET}`;

let fake: FakeRunlater;
let client: RunlaterClient;
beforeAll(async () => {
  fake = await startFakeRunlater(KEY);
  client = new RunlaterClient({ apiKey: KEY, baseUrl: fake.apiUrl, sleep: async () => undefined, retry: { maxAttempts: 2 } });
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});

// ------------------------------------------------------------------ hostile values

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const nullProto = Object.assign(Object.create(null), { url: "https://x.example" });
let deep: unknown = [];
for (let i = 0; i < 20_000; i++) deep = [deep];
const big = "a".repeat(1_000_000);

const HOSTILE = [
  undefined,
  null,
  "",
  " ",
  ".",
  "..",
  "../tasks",
  "\uD800",
  "\uDFFF\uD800",
  "a\r\nX-Injected: 1",
  "\u0000",
  "javascript:alert(1)",
  "http://[::1]/",
  `https://api.example.com/x?token=${SECRET}`,
  `https://u:${SECRET}@api.example.com/`,
  "* * *",
  "61 * * * *",
  "0 0 * * * *",
  "0190c0de-0000-7000-8000-000000000000",
  "0190c0de-0000-7000-8000-000000000000/..",
  big,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  10n,
  true,
  Symbol("s"),
  () => 1,
  [],
  [1, "2", null],
  {},
  cyclic,
  nullProto,
  deep,
  new Date(0),
  { toString: null, valueOf: null },
];

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.string({ unit: "binary" }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** A spec whose fields are each valid-looking or hostile (or the whole spec hostile). */
function specOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, good] of Object.entries(fields)) rec[k] = fc.oneof(good, hostile);
  return fc.oneof({ weight: 5, arbitrary: fc.record(rec, { requiredKeys: [] }) }, { weight: 1, arbitrary: hostile });
}

const secretHeaders = fc.constant({ Authorization: `Bearer ${SECRET}` });
const TASK = specOf({
  name: fc.constant("t"),
  url: fc.constantFrom("https://example.com/h", `https://example.com/h?k=${SECRET}`),
  cron: fc.constant("0 * * * *"),
  method: fc.constant("GET"),
  timeoutMs: fc.constant(5000),
  expectedStatusCodes: fc.constant([200]),
  headers: secretHeaders,
  body: fc.constant(`{"k":"${SECRET}"}`),
});
const ENDPOINT = specOf({
  name: fc.constant("e"),
  forwardUrls: fc.constant([`https://api.example.com/dns?token=${SECRET}`]),
  forwardHeaders: secretHeaders,
  forwardBody: fc.constant(`{"secretapikey":"${SECRET}"}`),
  retryAttempts: fc.constant(0),
  useQueue: fc.constant(false),
});
const MONITOR = specOf({
  name: fc.constant("m"),
  scheduleType: fc.constantFrom("interval", "cron"),
  intervalSeconds: fc.constant(60),
  cronExpression: fc.constant("*/5 * * * *"),
  gracePeriodSeconds: fc.constant(600),
  onFailureUrl: fc.constant(`https://runlater.eu/in/ep_${SECRET}`),
});
const OPTS = fc.oneof(fc.constant(undefined), fc.record({ idempotencyKey: hostile }, { requiredKeys: [] }), hostile);
const ID = fc.oneof(hostile, fc.uuid());

type Entry = { name: string; route: RegExp; run: fc.Arbitrary<() => Promise<unknown>> };
const c = () => client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
const call =
  (m: string, ...a: unknown[]) =>
  () =>
    c()[m](...a);
const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const item = (coll: string, tail = "") => new RegExp(`^/api/v1/${coll}/${UUID}${tail}$`);

const ENTRIES: Entry[] = [
  { name: "createCronTask", route: /^\/api\/v1\/tasks$/, run: fc.tuple(TASK, OPTS).map(([s, o]) => call("createCronTask", s, o)) },
  { name: "getTask", route: item("tasks"), run: ID.map((id) => call("getTask", id)) },
  { name: "updateCronTask", route: item("tasks"), run: fc.tuple(ID, TASK).map(([id, p]) => call("updateCronTask", id, p)) },
  { name: "deleteTask", route: item("tasks"), run: ID.map((id) => call("deleteTask", id)) },
  { name: "listTasks", route: /^\/api\/v1\/tasks(\?(limit=\d+)?&?(offset=\d+)?)?$/, run: fc.record({ limit: hostile, offset: hostile }, { requiredKeys: [] }).map((p) => call("listTasks", p)) },
  { name: "triggerTask", route: item("tasks", "/trigger"), run: ID.map((id) => call("triggerTask", id)) },
  { name: "listExecutions", route: item("tasks", "/executions(\\?limit=\\d+)?"), run: fc.tuple(ID, hostile).map(([id, l]) => call("listExecutions", id, l)) },
  { name: "createEndpoint", route: /^\/api\/v1\/endpoints$/, run: fc.tuple(ENDPOINT, OPTS).map(([s, o]) => call("createEndpoint", s, o)) },
  { name: "getEndpoint", route: item("endpoints"), run: ID.map((id) => call("getEndpoint", id)) },
  { name: "updateEndpoint", route: item("endpoints"), run: fc.tuple(ID, ENDPOINT).map(([id, p]) => call("updateEndpoint", id, p)) },
  { name: "deleteEndpoint", route: item("endpoints"), run: ID.map((id) => call("deleteEndpoint", id)) },
  { name: "createMonitor", route: /^\/api\/v1\/monitors$/, run: fc.tuple(MONITOR, OPTS).map(([s, o]) => call("createMonitor", s, o)) },
  { name: "getMonitor", route: item("monitors"), run: ID.map((id) => call("getMonitor", id)) },
  { name: "updateMonitor", route: item("monitors"), run: fc.tuple(ID, MONITOR).map(([id, p]) => call("updateMonitor", id, p)) },
  { name: "deleteMonitor", route: item("monitors"), run: ID.map((id) => call("deleteMonitor", id)) },
];

function checkError(e: unknown): RunlaterApiError {
  if (!(e instanceof RunlaterApiError)) throw new Error(`not a RunlaterApiError: ${(e as Error)?.name}: ${(e as Error)?.message}`);
  const text = `${e.message} ${JSON.stringify(e)}`;
  if (text.includes(SECRET)) throw new Error(`secret in error: ${text.slice(0, 1500)}`);
  return e;
}

describe.each(ENTRIES)("$name with hostile arguments", ({ route, run }) => {
  it("settles with a value or a RunlaterApiError; validation sends nothing; requests only hit its route; no secret leaks", async () => {
    await fc.assert(
      fc.asyncProperty(run, async (invoke) => {
        fake.requests.length = 0;
        const started = Date.now();
        let error: RunlaterApiError | undefined;
        try {
          await invoke();
        } catch (e) {
          error = checkError(e);
        }
        expect(Date.now() - started).toBeLessThan(2000);
        if (error?.kind === "validation") expect(fake.requests).toHaveLength(0);
        for (const r of fake.requests) expect(r.path).toMatch(route);
        for (const r of fake.requests) expect(r.headers["idempotency-key"] ?? "").not.toMatch(/[\r\n]/);
      }),
      RUNS,
    );
  });
});

describe("the constructor with hostile options", () => {
  it("builds a client or throws a validation RunlaterApiError that never contains the key", () => {
    const options = fc.oneof(
      hostile,
      fc.record(
        {
          apiKey: fc.oneof(fc.constant(KEY), fc.constant(`${KEY}\n`), hostile),
          baseUrl: fc.oneof(fc.constant("https://runlater.eu/api/v1"), hostile),
          dialect: fc.oneof(fc.constantFrom("legacy", "schedules"), hostile),
          timeoutMs: fc.oneof(fc.constant(1000), hostile),
          retry: fc.oneof(fc.record({ maxAttempts: hostile, baseDelayMs: hostile }, { requiredKeys: [] }), hostile),
          sleep: hostile,
          log: hostile,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (o) => {
        try {
          new RunlaterClient(o as never);
        } catch (e) {
          const err = checkError(e);
          expect(err.kind).toBe("validation");
        }
      }),
      RUNS,
    );
  });
});

describe("wire readers with hostile JSON", () => {
  it("map any JSON value to a model or throw a protocol RunlaterApiError", () => {
    const readers = [taskFromWire, endpointFromWire, monitorFromWire, executionFromWire, taskPageFromWire, errorFromWire];
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("id", "method", "name", "data", "error", "details", "headers", "forward_urls", "cron", "lane", "use_lane"), fc.jsonValue())), (v) => {
        for (const read of readers) {
          try {
            read(v as never);
          } catch (e) {
            expect(checkError(e).kind).toBe("protocol");
          }
        }
      }),
      RUNS,
    );
  });
});
