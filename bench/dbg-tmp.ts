import { chaosScript, CELLS } from "./chaos";
import { harness, MIN, measure } from "./convergence";
(async () => {
  const seed = Number(process.env.SEED ?? 20261202), hours = 6;
  const cell = JSON.parse(process.env.CELL ?? "{\"dnsErrors\":0,\"hookLoss\":0}");
  const h = await harness({ wiring: "converge", seed, hookLoss: cell.hookLoss, emulator: { startJitterMs: [1000, 15000], maxDeliveries: 50000 } });
  const script = chaosScript(seed, hours, cell);
  await h.run(script, hours * 60 * MIN);
  const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  console.log("primary:", h.primaryTimeline.map((p) => `${fmt(p.at)} ${p.up ? "up" : "DOWN"}`).join(", "));
  console.log("record:", h.recordTimeline().map((r) => `${fmt(r.at)} ${r.content}`).join(", "));
  const t0 = h.emu.now().getTime() - hours * 60 * MIN;
  const names = new Map<string, string>();
  for (const t of h.emu.tasks({ all: true })) names.set(String(t.id), String(t.name));
  const ds = h.emu.deliveries();
  const from = Number(process.argv[2] ?? 0) * MIN, to = Number(process.argv[3] ?? 60) * MIN;
  for (const d of ds) {
    const at = Date.parse(d.startedAt) - t0;
    if (at < from || at > to) continue;
    if (d.kind === "cron" && names.get(d.taskId)?.endsWith("pulse")) continue;
    console.log(fmt(at), d.kind.padEnd(12), (names.get(d.taskId) ?? "").slice(0, 30).padEnd(30), d.method, d.url.replace(/^http:\/\//, "").slice(0, 50), d.status, d.statusCode ?? d.error);
  }
  await h.close();
})();
