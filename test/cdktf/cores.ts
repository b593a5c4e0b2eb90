/**
 * Test helpers: load `lib/cdktf` on a chosen core (`cdktf` or `cdktn`) in an isolated module
 * registry, so one jest process exercises both cores.
 */
import type * as Lib from "../../lib/cdktf";

/** The cores every suite runs against. */
export const CORES = ["cdktf", "cdktn"] as const;
export type Core = (typeof CORES)[number];

/** The bindings and the core module they resolved, loaded fresh. */
export interface Loaded {
  lib: typeof Lib;
  core: typeof import("cdktf");
  /** The example stack module (examples/cdktf-failover/main.ts) on the same core. */
  example: typeof import("../../examples/cdktf-failover/main");
}

/** Loads the bindings with `RUNLATER_CDKTF_CORE=<core>` in a fresh module registry. */
export function loadOn(core: Core): Loaded {
  const prev = process.env.RUNLATER_CDKTF_CORE;
  process.env.RUNLATER_CDKTF_CORE = core;
  let loaded: Loaded | undefined;
  try {
    jest.isolateModules(() => {
      loaded = {
        lib: require("../../lib/cdktf"),
        core: require(core),
        example: require("../../examples/cdktf-failover/main"),
      };
    });
  } finally {
    if (prev === undefined) delete process.env.RUNLATER_CDKTF_CORE;
    else process.env.RUNLATER_CDKTF_CORE = prev;
  }
  return loaded!;
}

/** A fresh stack on the loaded core. */
export function newStack(l: Loaded, id = "test"): InstanceType<Loaded["core"]["TerraformStack"]> {
  return new l.core.TerraformStack(l.core.Testing.app(), id);
}

/** Parses `Testing.synth(stack)`. */
export function synthJson(l: Loaded, stack: InstanceType<Loaded["core"]["TerraformStack"]>, runValidations = false): any {
  return JSON.parse(l.core.Testing.synth(stack, runValidations));
}

/** The single resource of a type in synthesized JSON (fails when there are several). */
export function onlyResource(json: any, type: string): any {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected 1 ${type}, got ${all.length}`);
  return all[0];
}

/** The resources of a type keyed by their `body.name` (restful) or logical id. */
export function resourcesByName(json: any, type: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [id, r] of Object.entries<any>(json.resource?.[type] ?? {})) out[r.body?.name ?? id] = r;
  return out;
}

/**
 * The write-only fields sent for each object, keyed by its `body.name`: the `ephemeral_body` of
 * the `restful_operation` that PATCHes it (path `${restful_resource.<id>.id}`).
 */
export function writeOnlyByName(json: any): Record<string, any> {
  const names: Record<string, string> = {};
  for (const [id, r] of Object.entries<any>(json.resource?.restful_resource ?? {})) names[id] = r.body?.name ?? id;
  const out: Record<string, any> = {};
  for (const op of Object.values<any>(json.resource?.restful_operation ?? {})) {
    const m = /^\$\{restful_resource\.([^.]+)\.id\}$/.exec(op.path);
    if (m) out[names[m[1]]] = op.ephemeral_body;
  }
  return out;
}
