// Runs a Pulumi program with DnsFailovers under mocks in a PLAIN Node process (real module
// loading, as in `pulumi up`) and prints, as JSON, every resource registration the engine would
// receive: type, name and inputs, including `__provider` (the serialized dynamic provider stored
// in state) and Pulumi's secret wrappers. Used by secrets.test.ts.
// Usage: node capture-failover.js '[{"name": "...", "secretDns": true, "args": {DnsFailover args}}, …]'
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const captured = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      captured.push({ type: a.type, name: a.name, inputs: a.inputs });
      const state = { ...a.inputs };
      if (a.type.endsWith(":ForwardEndpoint")) state.inboundUrl = `https://runlater.eu/in/ep_${a.name}`;
      if (a.type.endsWith(":HeartbeatMonitor")) state.pingUrl = `https://runlater.eu/ping/pm_${a.name}`;
      if (a.type.endsWith(":FailoverObjects")) {
        // resources: "compact": one resource for every object; ids and URLs by object key.
        state.objects = a.inputs.objects;
        state.ids = Object.fromEntries(a.inputs.objects.map((o) => [o.key, `${a.name}-${o.key}-id`]));
        state.urls = Object.fromEntries(
          a.inputs.objects.filter((o) => o.kind !== "task").map((o) => [o.key, o.kind === "monitor" ? `https://runlater.eu/ping/pm_${o.key}` : `https://runlater.eu/in/ep_${o.key}`]),
        );
      }
      return { id: `${a.name}-id`, state };
    },
    call: (a) => a.inputs,
  },
  "capture",
  "dev",
  false,
);
const lib = require(path.join(__dirname, "..", "..", "dist", "pulumi"));
const specs = JSON.parse(process.argv[2]);
const done = specs.map((s) => {
  const args = { ...s.args };
  if (s.secretDns) args.dns = pulumi.secret(args.dns);
  const f = new lib.DnsFailover(s.name, args);
  // The task registers last (it needs the endpoints' inbound URLs).
  return new Promise((resolve) => f.taskId.apply(resolve));
});
Promise.all(done).then(() => setTimeout(() => process.stdout.write(JSON.stringify(captured)), 50));
