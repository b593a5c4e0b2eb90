/**
 * One Idempotency-Key per logical create (issue 11 §2), against the emulator (which follows
 * Runlater's plug: (org, key) scope, 2xx replayed verbatim, 409 in flight, ≥ 24 h retention).
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools, deriveIdempotencyKey, type EndpointSpec, RunlaterApiError, RunlaterClient } from "../../lib/runlater";

const KEY = "pk_test_idem.sk_test_idempotency_secret_9";
const SCOPE = "test/ForwardEndpoint/web-failover";
let emu: Emulator;
const mk = (over: Record<string, unknown> = {}) =>
  new RunlaterClient({ apiKey: KEY, baseUrl: emu.runlaterApiUrl, sleep: async () => undefined, random: () => 0.5, ...over });
const spec = (name: string, token = "tok_secret_value_123"): EndpointSpec => ({
  name,
  forwardUrls: ["https://example.com/hook"],
  forwardHeaders: { authorization: `Bearer ${token}`, "x-a": "1" },
  forwardBody: '{"content":"203.0.113.7"}',
});
const named = (name: string) => emu.endpoints().filter((e) => e.name === name);

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY], rateLimit: false });
});
afterAll(async () => {
  await emu.close();
  await closeAllPools();
});
beforeEach(() => emu.faults.clear());

async function rejected(p: Promise<unknown>): Promise<RunlaterApiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RunlaterApiError);
  expect(String((e as Error).message)).not.toContain("sk_test_idempotency_secret");
  expect(String((e as Error).message)).not.toContain("tok_secret_value");
  return e as RunlaterApiError;
}

describe("derived keys", () => {
  it("are stable across clients and header order, differ by spec, scope, operation and API key, and reveal nothing of the body", () => {
    const wire = { name: "a", forward_headers: { b: "2", a: "1" } };
    const k = deriveIdempotencyKey(KEY, SCOPE, "endpoints.create", wire);
    expect(k).toMatch(/^rliac1-[A-Za-z0-9_-]{43}$/);
    expect(deriveIdempotencyKey(KEY, SCOPE, "endpoints.create", { forward_headers: { a: "1", b: "2" }, name: "a" })).toBe(k);
    expect(deriveIdempotencyKey(KEY, SCOPE, "endpoints.create", { ...wire, name: "b" })).not.toBe(k);
    expect(deriveIdempotencyKey(KEY, `${SCOPE}2`, "endpoints.create", wire)).not.toBe(k);
    expect(deriveIdempotencyKey(KEY, SCOPE, "monitors.create", wire)).not.toBe(k);
    expect(deriveIdempotencyKey(`${KEY}x`, SCOPE, "endpoints.create", wire)).not.toBe(k);
    expect(deriveIdempotencyKey(KEY, SCOPE, "endpoints.create", { forward_headers: { authorization: "Bearer tok_secret_value_123" } })).not.toMatch(/tok_secret|Bearer/);
  });

  it("a bad scope, or a scope with a key, is a field error and nothing is sent", async () => {
    const before = emu.stats().requests.total;
    for (const [opts, field] of [
      [{ idempotencyScope: "" }, "idempotencyScope"],
      [{ idempotencyScope: "x".repeat(1001) }, "idempotencyScope"],
      [{ idempotencyScope: "\uD800" }, "idempotencyScope"],
      [{ idempotencyScope: 5 }, "idempotencyScope"],
      [{ idempotencyScope: "s", idempotencyKey: "k" }, "idempotencyScope"],
    ] as const) {
      const e = await rejected(mk().createEndpoint(spec("bad-scope"), opts as never));
      expect(e.kind).toBe("validation");
      expect(Object.keys(e.fieldErrors ?? {})).toEqual([field]);
    }
    expect(emu.stats().requests.total).toBe(before);
  });
});

describe("a create whose reply is lost on every attempt", () => {
  it("(5xx after it ran) fails naming its key; the same create later — another client, another run — gets the same object", async () => {
    emu.faults.add({ route: "runlater.endpoints.create", status: 503, after: true, times: 5, headers: { "retry-after": "0" } });
    const e = await rejected(mk().createEndpoint(spec("lost-5xx"), { idempotencyScope: SCOPE }));
    expect(e).toMatchObject({ kind: "exhausted", status: 503, attempts: 5 });
    expect(e.idempotencyKey).toMatch(/^rliac1-/);
    expect(e.message).toContain(`repeat it with Idempotency-Key ${e.idempotencyKey}`);
    expect(named("lost-5xx")).toHaveLength(1);
    const again = await mk().createEndpoint(spec("lost-5xx"), { idempotencyScope: SCOPE });
    expect(named("lost-5xx").map((x) => x.id)).toEqual([again.id]);
  });

  it("(connection dropped after it ran) is a network failure naming the key; the next run adopts the object", async () => {
    emu.faults.add({ route: "runlater.endpoints.create", kind: "drop", after: true, times: 5 });
    const e = await rejected(mk().createEndpoint(spec("lost-drop"), { idempotencyScope: SCOPE }));
    expect(e.kind).toBe("exhausted");
    expect(e.message).toContain(`Idempotency-Key ${e.idempotencyKey}`);
    const again = await mk().createEndpoint(spec("lost-drop"), { idempotencyScope: SCOPE });
    expect(named("lost-drop").map((x) => x.id)).toEqual([again.id]);
  });

  it("without a scope each call has its own key (kept across its retries): two calls make two objects", async () => {
    emu.faults.add({ route: "runlater.endpoints.create", status: 503, after: true, times: 2, headers: { "retry-after": "0" } });
    const a = await mk().createEndpoint(spec("unscoped"));
    const b = await mk().createEndpoint(spec("unscoped"));
    expect(a.id).not.toBe(b.id);
    expect(named("unscoped")).toHaveLength(2);
  });
});

describe("a replay of an older create", () => {
  it("of an object deleted since (e.g. destroy, then deploy again within 24 h) makes a new object, once; of a live one adopts it", async () => {
    const c = mk();
    const first = await c.createEndpoint(spec("again"), { idempotencyScope: SCOPE });
    await c.deleteEndpoint(first.id);
    await emu.advance(2 * 60_000);
    const second = await c.createEndpoint(spec("again"), { idempotencyScope: SCOPE });
    expect(second.id).not.toBe(first.id);
    expect(named("again").map((x) => x.id)).toEqual([second.id]);
    // Later again: the first key still replays `first` (gone), then the key derived from its id
    // replays `second` (live), which is adopted: nothing new.
    await emu.advance(2 * 60_000);
    const third = await c.createEndpoint(spec("again"), { idempotencyScope: SCOPE });
    expect(third.id).toBe(second.id);
    expect(named("again")).toHaveLength(1);
    await c.deleteEndpoint(second.id);
  });

  it("an explicit idempotencyKey is taken at its word (no read-back)", async () => {
    const c = mk();
    const first = await c.createEndpoint(spec("explicit"), { idempotencyKey: "explicit-1" });
    await emu.advance(2 * 60_000);
    const before = emu.stats().requests.byRoute["runlater.endpoints.get"] ?? 0;
    const again = await c.createEndpoint(spec("explicit"), { idempotencyKey: "explicit-1" });
    expect(again.id).toBe(first.id);
    expect(emu.stats().requests.byRoute["runlater.endpoints.get"] ?? 0).toBe(before);
    await c.deleteEndpoint(first.id);
  });
});
