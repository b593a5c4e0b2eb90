// Runs a tiny Pulumi program under mocks in a PLAIN Node process (real module loading, as in
// `pulumi up`) and prints the registered resources' inputs as JSON — including `__provider`, the
// serialized dynamic provider the engine would store in state.
// Usage: node capture-program.js '<json spec>'   spec: [{kind, name, args, secretArgs?}]
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const lib = require(path.join(__dirname, "..", "..", "dist", "pulumi"));

const spec = JSON.parse(process.argv[2]);
const captured = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      captured.push({ type: a.type, name: a.name, inputs: a.inputs });
      return { id: `${a.name}-id`, state: a.inputs };
    },
    call: (a) => a.inputs,
  },
  "capture",
  "dev",
  false,
);
const resources = spec.map((r) => {
  const args = { ...r.args };
  for (const k of r.secretArgs ?? []) args[k] = pulumi.secret(args[k]);
  return new lib[r.kind](r.name, args);
});
// Every id resolves once its registration (newResource) completed.
Promise.all(resources.map((r) => new Promise((res) => r.id.apply(res)))).then(() => {
  process.stdout.write(JSON.stringify(captured));
});
