/**
 * README.md's TypeScript code blocks compile as written: each ```ts block is pasted into a fresh
 * project made from its engine's template (the package installed from the packed tarball) and
 * type-checked. A block that imports `runlater-iac/pulumi` is checked with both `pulumi new
 * typescript` templates; one that imports `runlater-iac/cdktf` with cdktn alone and with cdktf
 * alone (its `from "cdktn"` imports rewritten, as its `// or "cdktf"` comment says).
 *
 * `@pulumi/cloudflare` (21 MB, plus a provider plugin) is not a dev dependency: when it is not
 * installed, a declaration of the slice the README uses stands in for it — `DnsRecord` with
 * v6's required arguments (zoneId, name, type, ttl).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cleanup, type LinkedPackage, pending, project, ROOT, TEMPLATES, type TestProject } from "./support";

jest.setTimeout(180_000);
afterAll(() => {
  const dirs = [...pending()];
  cleanup();
  for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
});

/** The ```ts blocks of README.md with the line each starts on. */
function tsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

const CLOUDFLARE_STUB = `import * as pulumi from "@pulumi/pulumi";
/** Arguments of @pulumi/cloudflare 6.x DnsRecord (the slice README uses; ttl is required in v6). */
export interface DnsRecordArgs {
  zoneId: pulumi.Input<string>;
  name: pulumi.Input<string>;
  type: pulumi.Input<string>;
  ttl: pulumi.Input<number>;
  content?: pulumi.Input<string>;
  proxied?: pulumi.Input<boolean>;
  comment?: pulumi.Input<string>;
}
export declare class DnsRecord extends pulumi.CustomResource {
  readonly zoneId: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly type: pulumi.Output<string>;
  readonly content: pulumi.Output<string>;
  readonly ttl: pulumi.Output<number>;
  readonly proxied: pulumi.Output<boolean>;
  constructor(name: string, args: DnsRecordArgs, opts?: pulumi.CustomResourceOptions);
}
`;

function withCloudflare(p: TestProject): void {
  const real = path.join(ROOT, "node_modules", "@pulumi", "cloudflare");
  if (fs.existsSync(real)) {
    fs.symlinkSync(fs.realpathSync(real), path.join(p.dir, "node_modules", "@pulumi", "cloudflare"), "dir");
    return;
  }
  p.write("node_modules/@pulumi/cloudflare/package.json", JSON.stringify({ name: "@pulumi/cloudflare", version: "6.0.0-stub", types: "index.d.ts" }));
  p.write("node_modules/@pulumi/cloudflare/index.d.ts", CLOUDFLARE_STUB);
}

interface Check {
  label: string;
  tsconfig: string;
  links: LinkedPackage[];
  file: string;
  code: string;
  cloudflare?: boolean;
}

function checksFor(code: string): Check[] {
  if (code.includes('"runlater-iac/pulumi"')) {
    const base = { links: ["@pulumi/pulumi", "@types/node"] as LinkedPackage[], file: "index.ts", code, cloudflare: true };
    return [
      { ...base, label: "pulumi new typescript (CommonJS)", tsconfig: TEMPLATES.pulumiCommonJs },
      { ...base, label: "pulumi new typescript (nodenext)", tsconfig: TEMPLATES.pulumiNodeNext },
    ];
  }
  if (code.includes('"runlater-iac/cdktf"')) {
    return [
      { label: "cdktn init, cdktn alone", tsconfig: TEMPLATES.cdktn, links: ["cdktn", "constructs", "@types/node", "@types/jest"], file: "main.ts", code },
      {
        label: "cdktf init, cdktf alone",
        tsconfig: TEMPLATES.cdktf,
        links: ["cdktf", "constructs", "@types/node"],
        file: "main.ts",
        code: code.replace(/from "cdktn"/g, 'from "cdktf"'),
      },
    ];
  }
  return [{ label: "plain strict project", tsconfig: TEMPLATES.bundler, links: ["@types/node"], file: "index.ts", code }];
}

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const cases = tsBlocks(README).flatMap((b) => checksFor(b.code).map((c) => ({ ...c, name: `README.md:${b.line} — ${c.label}` })));

describe("README code blocks compile as written", () => {
  it("finds the Pulumi and the CDKTF example", () => {
    expect(cases.some((c) => c.code.includes('"runlater-iac/pulumi"'))).toBe(true);
    expect(cases.some((c) => c.code.includes('"runlater-iac/cdktf"'))).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const p = project(c.tsconfig, c.links);
    if (c.cloudflare) withCloudflare(p);
    p.write(c.file, c.code);
    const r = p.typecheck();
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("a block with an error fails (the check is real)", () => {
    const cdk = cases.find((c) => c.code.includes('"runlater-iac/cdktf"'))!;
    const p = project(cdk.tsconfig, cdk.links);
    p.write(cdk.file, cdk.code.replace(/^import \{ Construct \} from "constructs";\n/m, ""));
    expect(p.typecheck().output).toMatch(/TS2304: Cannot find name 'Construct'|TS2552/);
  });
});
