/**
 * Warnings printed where users look: on stderr when the app synthesizes. Internal.
 *
 * Annotations (`Annotations.of(c).addWarning`) only land in `cdktf.out/manifest.json`; the
 * `cdktf`/`cdktn` CLIs print them, but a plain `node main.js` (the supported "synth, then run
 * tofu/terraform yourself" path) prints nothing. So each construct that has warnings also prints
 * them to stderr, once per construct, when the core synthesizes its stack (`App.synth()`,
 * `Testing.fullSynth`; not `Testing.synth`, which only renders JSON).
 */
import type { Construct } from "constructs";
import type { ValidationIssue } from "../runlater/validate";

/**
 * The hook both cores call during stack synthesis (`Symbol.for("cdktf/customSynthesis")`,
 * shared by cdktf and cdktn; see their `synthesize/synthesizer.js`).
 */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");

/** Environment variable that silences the stderr copy (the annotations stay): `1` or `true`. */
export const QUIET_WARNINGS_ENV = "RUNLATER_IAC_QUIET";

/** One line per warning: `[runlater-iac] warning: <owner>: <field>: <message>`. */
export function formatSynthWarning(owner: string, w: ValidationIssue): string {
  return `[runlater-iac] warning: ${owner}: ${w.field}: ${w.message}`;
}

/**
 * Prints `warnings()` to stderr the first time `construct` is synthesized (evaluated then, so
 * warnings added after construction are included). A construct that already has a custom
 * synthesis keeps it (nothing is printed).
 */
export function printWarningsAtSynth(construct: Construct, owner: string, warnings: () => readonly ValidationIssue[]): void {
  if (Object.hasOwn(construct, CUSTOM_SYNTHESIS)) return;
  let printed = false;
  Object.defineProperty(construct, CUSTOM_SYNTHESIS, {
    enumerable: false,
    value: {
      onSynthesize: () => {
        if (printed) return;
        printed = true;
        const quiet = (process.env[QUIET_WARNINGS_ENV] ?? "").trim().toLowerCase();
        if (quiet === "1" || quiet === "true") return;
        const list = warnings();
        if (list.length === 0) return;
        process.stderr.write(`${list.map((w) => formatSynthWarning(owner, w)).join("\n")}\n`);
      },
    },
  });
}
