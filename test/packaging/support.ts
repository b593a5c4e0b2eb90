/**
 * The package as a user gets it: `npm pack` of this checkout into a temporary directory, and
 * throwaway projects that have the tarball unpacked at `node_modules/runlater-iac` (what
 * `npm install ./runlater-iac-x.y.z.tgz` puts there) plus symlinks to this checkout's engine
 * packages (`@pulumi/pulumi`, `cdktf`, `cdktn`, `constructs`, `@types/node`), so nothing is fetched.
 * Every directory made here is removed by {@link cleanup}.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const made: string[] = [];

/** A packed tarball and the paths npm put in it (relative to the package root). */
export interface Packed {
  tarball: string;
  files: string[];
}

let packed: Packed | undefined;

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** `npm pack` of this checkout (dist/ must be built: jest's global setup builds it). Once per test file. */
export function pack(): Packed {
  if (packed) return packed;
  const dest = tempDir("rl-pack-");
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" },
  });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  packed = { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path).sort() };
  return packed;
}

/** Packages a test project can link from this checkout: engines, types, and the package's own dependencies. */
export type LinkedPackage = "@pulumi/pulumi" | "cdktf" | "cdktn" | "constructs" | "@cdktf/provider-cloudflare" | "@types/node" | "@types/jest" | "dependencies";

/** The package's runtime dependencies (what `npm install` of the tarball would add). */
function runtimeDependencies(): string[] {
  return Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies ?? {});
}

/** A throwaway project with the packed package installed. */
export interface TestProject {
  dir: string;
  /** Writes a file (relative to the project). */
  write(rel: string, text: string): void;
  /** `tsc --noEmit -p .`: the exit code and tsc's output (errors one per line). */
  typecheck(): { code: number; output: string };
}

/**
 * Makes a project: `tsconfig` is written as `tsconfig.json` (the text as a template writes it),
 * `links` are symlinked from this checkout's node_modules.
 */
export function project(tsconfig: string, links: LinkedPackage[], packageJson: Record<string, unknown> = {}): TestProject {
  const dir = tempDir("rl-proj-");
  const { tarball } = pack();
  const pkgDir = path.join(dir, "node_modules", "runlater-iac");
  fs.mkdirSync(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
  for (const name of links.flatMap((l) => (l === "dependencies" ? runtimeDependencies() : [l]))) {
    const target = path.join(dir, "node_modules", name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(NODE_MODULES, name)), target, "dir");
  }
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-project", private: true, ...packageJson }));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), tsconfig);
  return {
    dir,
    write(rel, text) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    },
    typecheck() {
      try {
        const output = execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "--pretty", "false", "-p", dir], {
          cwd: dir,
          encoding: "utf8",
        });
        return { code: 0, output };
      } catch (e) {
        const err = e as { status?: number; stdout?: string; stderr?: string };
        return { code: err.status ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
      }
    },
  };
}

/** Removes every directory this module made (call in afterAll). */
export function cleanup(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  packed = undefined;
}

/** Directories made and not yet removed (for the cleanup assertion). */
export function pending(): readonly string[] {
  return made;
}

/**
 * tsconfig.json texts as the engines' project templates write them (comments dropped).
 * Sources: pulumi/templates `typescript/tsconfig.json` (a3029400, Apr 2024: commonjs + node;
 * 81e65225, Mar 2026: nodenext); hashicorp/terraform-cdk
 * `packages/@cdktf/cli-core/templates/typescript/tsconfig.json`; open-constructs/cdk-terrain
 * `packages/@cdktn/cli-core/templates/typescript/tsconfig.json`.
 */
export const TEMPLATES = {
  /** `pulumi new typescript` until March 2026: CommonJS, classic (node10) resolution. */
  pulumiCommonJs: `{
    "compilerOptions": {
        "strict": true,
        "outDir": "bin",
        "target": "es2020",
        "module": "commonjs",
        "moduleResolution": "node",
        "sourceMap": true,
        "experimentalDecorators": true,
        "pretty": true,
        "noFallthroughCasesInSwitch": true,
        "noImplicitReturns": true,
        "forceConsistentCasingInFileNames": true
    },
    "files": [
        "index.ts"
    ]
}`,
  /** `pulumi new typescript` since March 2026: nodenext (node16-style, honours `exports`). */
  pulumiNodeNext: `{
    "compilerOptions": {
        "strict": true,
        "outDir": "bin",
        "target": "es2020",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "sourceMap": true,
        "experimentalDecorators": true,
        "pretty": true,
        "noFallthroughCasesInSwitch": true,
        "noImplicitReturns": true,
        "forceConsistentCasingInFileNames": true
    },
    "files": [
        "index.ts"
    ]
}`,
  /** `cdktf init --template=typescript`: CommonJS with no moduleResolution, i.e. node10. */
  cdktf: `{
  "compilerOptions": {
    "alwaysStrict": true,
    "declaration": true,
    "experimentalDecorators": true,
    "inlineSourceMap": true,
    "inlineSources": true,
    "lib": [
      "es2018"
    ],
    "module": "CommonJS",
    "noEmitOnError": true,
    "noFallthroughCasesInSwitch": true,
    "noImplicitAny": true,
    "noImplicitReturns": true,
    "noImplicitThis": true,
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "resolveJsonModule": true,
    "strict": true,
    "strictNullChecks": true,
    "strictPropertyInitialization": true,
    "stripInternal": true,
    "target": "ES2018",
    "incremental": true,
    "skipLibCheck": true
  },
  "include": [
    "**/*.ts"
  ],
  "exclude": [
    "node_modules",
    "cdktf.out"
  ]
}`,
  /** `cdktn init --template=typescript` (cdk-terrain): the cdktf template plus isolatedModules and explicit types. */
  cdktn: `{
  "compilerOptions": {
    "alwaysStrict": true,
    "declaration": true,
    "experimentalDecorators": true,
    "inlineSourceMap": true,
    "inlineSources": true,
    "isolatedModules": true,
    "lib": [
      "es2018"
    ],
    "module": "CommonJS",
    "noEmitOnError": true,
    "noFallthroughCasesInSwitch": true,
    "noImplicitAny": true,
    "noImplicitReturns": true,
    "noImplicitThis": true,
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "resolveJsonModule": true,
    "strict": true,
    "strictNullChecks": true,
    "strictPropertyInitialization": true,
    "stripInternal": true,
    "target": "ES2018",
    "types": [
      "node",
      "jest"
    ],
    "incremental": true,
    "skipLibCheck": true
  },
  "include": [
    "**/*.ts"
  ],
  "exclude": [
    "node_modules",
    "cdktf.out"
  ]
}`,
  /** A bundler-style project (esbuild/vite/tsx users): `module: preserve` + `moduleResolution: bundler`. */
  bundler: `{
  "compilerOptions": {
    "strict": true,
    "target": "es2022",
    "module": "preserve",
    "moduleResolution": "bundler",
    "noEmit": true
  },
  "include": ["*.ts"]
}`,
} as const;
