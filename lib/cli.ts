#!/usr/bin/env node
/**
 * The `runlater-iac` command line (compiled to `dist/cli.js`, the package's `bin`).
 *
 * Subcommands live in the {@link commands} table: add an entry (summary, usage, run) to add one.
 *
 * ```
 * runlater-iac emulator [--port 4010] [--host 127.0.0.1] [--state FILE] [--allow-private]
 *                       [--speed 60 | --virtual] [--start ISO] [--api-key KEY ...] [--tier pro|free]
 *                       [--no-rate-limit] [--seed N] [--kind LIST] [--start-jitter MIN-MAX] [--hook-loss P]
 *                       [--dns-token PROVIDER=TOKEN ...] [--verbose]
 * ```
 */
import type { DnsEmulatorsOptions, Emulator, EmulatorOptions } from "./emulator";
import { DRILL_USAGE, STATUS_USAGE } from "./ops/usage";

/** Where a command writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** One subcommand. `run` resolves with the exit code. */
export interface CliCommand {
  /** One line for `--help`. */
  readonly summary: string;
  /** Usage text (options, one per line). */
  readonly usage: string;
  run(args: string[], io: CliIo, signal?: AbortSignal): Promise<number>;
}

/** A usage error (exit code 2). */
export class CliUsageError extends Error {}

const DEFAULT_DNS_TOKENS: Record<string, string> = {
  cloudflare: "cf-test-token",
  digitalocean: "do-test-token",
  hetzner: "hz-test-token",
  porkbun: "pk1_test:sk1_test",
};
const DNS_PROVIDERS = ["cloudflare", "digitalocean", "hetzner", "porkbun", "generic"] as const;

const EMULATOR_USAGE = `usage: runlater-iac emulator [options]

Runs a local Runlater API + DNS provider APIs emulator that really runs the failover loop.

  --port N               TCP port (0 = any free port)                 default 4010
  --host ADDR            interface to bind (keep it on loopback)      default 127.0.0.1
  --state FILE           persist state to FILE (loaded at start)      default memory only
  --allow-private        accept cron task URLs on private/loopback addresses
  --speed N              real clock, N emulated seconds per second    default 1
  --virtual              virtual clock: time moves only on POST /_emulator/clock/advance
  --start ISO            start time of the clock                      default now (virtual: 2026-01-01T00:00:00Z)
  --api-key KEY[=ORG]    accepted API key (repeatable; optional org)  default pk_test_emulator.sk_test_emulator
  --tier pro|free        plan limits                                  default pro
  --no-rate-limit        disable the per-IP 300/min, 5000/h limit
  --seed N               seed of probabilistic faults                 default 1
  --kind LIST            kinder-than-production switches, comma-separated: noHostBlocking,
                         intendedFailureRule, noLookahead, bodyPatternOnJson, noRedirects,
                         caseInsensitiveHeaderMerge, hookRetries=N      default none
  --start-jitter MIN-MAX start latency of each execution, ms (seeded)  default none
  --hook-loss P          probability (0..1) that an action webhook is lost   default 0
  --dns-token P=TOKEN    token of DNS provider P (repeatable; porkbun: APIKEY:SECRET)
  --dns-port N           UDP+TCP port of the DNS server (0 = any free port)   default 0
  --verbose              log every request (method, path, route, status; never headers, bodies or full slugs)
  -h, --help             this help`;

/** Boolean switches of `--kind` (see `EmulatorKindOptions`). */
const KIND_FLAGS = ["noHostBlocking", "intendedFailureRule", "noLookahead", "bodyPatternOnJson", "noRedirects", "caseInsensitiveHeaderMerge"] as const;

/** Parses `emulator` arguments into emulator options. Throws {@link CliUsageError}. */
export function parseEmulatorArgs(args: string[]): {
  options: EmulatorOptions;
  verbose: boolean;
  help: boolean;
  dnsTokens: Record<string, string>;
  /** Which secrets came from the command line (the banner never prints those). */
  given: { apiKeys: boolean; dnsTokens: string[] };
} {
  const options: EmulatorOptions = { port: 4010, host: "127.0.0.1" };
  const keys: Record<string, string> = {};
  const dnsTokens: Record<string, string> = { ...DEFAULT_DNS_TOKENS };
  const givenTokens = new Set<string>();
  let speed: number | undefined;
  let virtual = false;
  let verbose = false;
  let help = false;
  const list = [...args];
  const value = (flag: string, inline: string | undefined): string => {
    const v = inline ?? list.shift();
    if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new CliUsageError(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliUsageError(`${flag} must be an integer ${min}..${max}, got ${v}`);
    return n;
  };
  while (list.length > 0) {
    const arg = list.shift()!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    switch (flag) {
      case "--port":
        options.port = int(flag, value(flag, inline), 0, 65535);
        break;
      case "--host":
        options.host = value(flag, inline);
        break;
      case "--state":
        options.stateFile = value(flag, inline);
        break;
      case "--allow-private":
        options.allowPrivateTargets = true;
        break;
      case "--speed": {
        const v = value(flag, inline);
        speed = Number(v);
        if (!(speed > 0 && speed <= 3600)) throw new CliUsageError(`--speed must be a number in (0, 3600], got ${v}`);
        break;
      }
      case "--virtual":
        virtual = true;
        break;
      case "--start": {
        const v = value(flag, inline);
        if (Number.isNaN(Date.parse(v))) throw new CliUsageError(`--start must be an ISO-8601 date, got ${v}`);
        options.startTime = v;
        break;
      }
      case "--api-key": {
        const v = value(flag, inline);
        const i = v.indexOf("=");
        const key = i > 0 ? v.slice(0, i) : v;
        if (key === "" || /\s/.test(key)) throw new CliUsageError("--api-key must be a non-empty key without spaces");
        keys[key] = i > 0 ? v.slice(i + 1) : "org_default";
        break;
      }
      case "--tier": {
        const v = value(flag, inline);
        if (v !== "pro" && v !== "free") throw new CliUsageError(`--tier must be pro or free, got ${v}`);
        options.tier = v;
        break;
      }
      case "--no-rate-limit":
        options.rateLimit = false;
        break;
      case "--seed":
        options.seed = int(flag, value(flag, inline), 0, 2 ** 32 - 1);
        break;
      case "--kind": {
        const kind: NonNullable<EmulatorOptions["kind"]> = {};
        for (const item of value(flag, inline).split(",").filter((x) => x !== "")) {
          const [name, n] = item.split("=");
          if (name === "hookRetries") kind.hookRetries = int("--kind hookRetries", n ?? "", 0, 10);
          else if (KIND_FLAGS.includes(name as (typeof KIND_FLAGS)[number]) && n === undefined) kind[name as (typeof KIND_FLAGS)[number]] = true;
          else throw new CliUsageError(`--kind: unknown switch ${item} (have ${KIND_FLAGS.join(", ")}, hookRetries=N)`);
        }
        options.kind = kind;
        break;
      }
      case "--start-jitter": {
        const v = value(flag, inline);
        const m = /^(\d+)-(\d+)$/.exec(v);
        if (!m || Number(m[1]) > Number(m[2])) throw new CliUsageError(`--start-jitter must look like MIN-MAX (ms, MIN <= MAX), got ${v}`);
        options.startJitterMs = [Number(m[1]), Number(m[2])];
        break;
      }
      case "--hook-loss": {
        const v = value(flag, inline);
        const p = Number(v);
        if (!(p >= 0 && p <= 1)) throw new CliUsageError(`--hook-loss must be a number 0..1, got ${v}`);
        options.hookLossProbability = p;
        break;
      }
      case "--dns-token": {
        const v = value(flag, inline);
        const i = v.indexOf("=");
        const provider = i > 0 ? v.slice(0, i) : "";
        if (!(DNS_PROVIDERS as readonly string[]).includes(provider) || i === v.length - 1) {
          throw new CliUsageError(`--dns-token must look like PROVIDER=TOKEN with PROVIDER one of ${DNS_PROVIDERS.join(", ")}`);
        }
        const token = v.slice(i + 1);
        if (provider === "porkbun" && !token.includes(":")) throw new CliUsageError("--dns-token porkbun=APIKEY:SECRETAPIKEY");
        dnsTokens[provider] = token;
        givenTokens.add(provider);
        break;
      }
      case "--dns-port":
        options.dnsServer = { port: int(flag, value(flag, inline), 0, 65535) };
        break;
      case "--verbose":
      case "-v":
        verbose = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new CliUsageError(`unknown option ${arg}`);
    }
  }
  if (virtual && speed !== undefined) throw new CliUsageError("--speed and --virtual exclude each other");
  options.clock = virtual ? "virtual" : { mode: "real", speed: speed ?? 1 };
  if (Object.keys(keys).length > 0) {
    const orgs = new Set(Object.values(keys));
    options.apiKeys = orgs.size === 1 && orgs.has("org_default") ? Object.keys(keys) : keys;
  }
  const dns: Omit<DnsEmulatorsOptions, "now"> = {};
  for (const p of DNS_PROVIDERS) if (dnsTokens[p]) (dns as Record<string, unknown>)[p] = { tokens: [dnsTokens[p]] };
  options.dns = dns;
  return { options, verbose, help, dnsTokens, given: { apiKeys: Object.keys(keys).length > 0, dnsTokens: [...givenTokens] } };
}

/**
 * The lines printed when the emulator is up. Secrets given on the command line (`--api-key`,
 * `--dns-token`) are never printed (the built-in test defaults are); the control token is
 * printed here, once.
 */
export function describeEmulator(
  emu: Emulator,
  opts: { options: EmulatorOptions; dnsTokens: Record<string, string>; given?: { apiKeys: boolean; dnsTokens: string[] } },
): string[] {
  const o = opts.options;
  const clock = emu.clockMode === "virtual" ? "virtual (POST /_emulator/clock/advance {\"ms\":60000} moves it)" : `real ×${(o.clock as { speed?: number }).speed ?? 1}`;
  const t = opts.dnsTokens;
  const given = opts.given ?? { apiKeys: true, dnsTokens: DNS_PROVIDERS.filter((p) => t[p] !== undefined && t[p] !== DEFAULT_DNS_TOKENS[p]) };
  const hidden = "(from --dns-token, not shown)";
  const token = (p: string) => (t[p] === undefined ? "-" : given.dnsTokens.includes(p) ? hidden : t[p]);
  const [pkKey, pkSecret] = (t.porkbun ?? "").split(":");
  const porkbun = t.porkbun === undefined ? "apikey - secretapikey -" : given.dnsTokens.includes("porkbun") ? `keys ${hidden}` : `apikey ${pkKey} secretapikey ${pkSecret}`;
  const keys = Array.isArray(o.apiKeys) ? o.apiKeys : o.apiKeys ? Object.keys(o.apiKeys) : [emu.apiKey];
  const keyText = given.apiKeys ? `${keys.length} key${keys.length === 1 ? "" : "s"} from --api-key (not shown)` : keys.join(", ");
  return [
    `runlater-iac emulator on ${emu.url}`,
    `  clock            ${clock}, now ${emu.now().toISOString()}`,
    `  Runlater API     ${emu.runlaterApiUrl}`,
    `  API key          ${keyText}   (Authorization: Bearer <key>)`,
    `  inbound          ${emu.url}/in/<slug>`,
    `  Cloudflare       ${emu.cloudflareApiUrl}   token ${token("cloudflare")}`,
    `  DigitalOcean     ${emu.digitaloceanApiUrl}   token ${token("digitalocean")}`,
    `  Hetzner Cloud    ${emu.hetznerApiUrl}   token ${token("hetzner")}`,
    `  Porkbun          ${emu.porkbunApiUrl}   ${porkbun}`,
    `  generic capture  ${emu.genericUrl}${t.generic !== undefined ? `   token ${token("generic")}` : ""}`,
    ...(emu.dnsPort ? [`  DNS server       udp+tcp ${new URL(emu.url).hostname}:${emu.dnsPort}   (dig @${new URL(emu.url).hostname} -p ${emu.dnsPort} www.example.com A +short)`] : []),
    `  health targets   ${emu.url}/_emulator/targets/<name>   (hits need no token; POST {"mode":"ok"|"fail"|"hang"} with the token switches one)`,
    `  control API      ${emu.url}/_emulator   (stats, deliveries, requests, clock, faults, state)`,
    `  control token    ${emu.controlToken}   (send as X-Emulator-Token: <token>; new on every start)`,
    `  private targets  ${o.allowPrivateTargets ? "allowed" : "refused (use --allow-private for local health servers)"}`,
    ...(o.stateFile ? [`  state file       ${o.stateFile}`] : []),
    "",
    `  export RUNLATER_API_URL=${emu.runlaterApiUrl} RUNLATER_API_KEY=${given.apiKeys ? "<your --api-key>" : emu.apiKey}`,
    "Press Ctrl+C to stop.",
  ];
}

/** Starts the emulator for `emulator` arguments and prints where it is (used by the command and tests). */
export async function startEmulatorFromArgs(args: string[], io: CliIo): Promise<Emulator> {
  const parsed = parseEmulatorArgs(args);
  const { startEmulator } = await import("./emulator");
  const emu = await startEmulator({ ...parsed.options, ...(parsed.verbose ? { log: (line: string) => io.out(line) } : {}) });
  for (const line of describeEmulator(emu, parsed)) io.out(line);
  return emu;
}

/** The subcommands. */
export const commands: Record<string, CliCommand> = {
  demo: {
    summary: "deploy a DnsFailover on the embedded emulator, fail the primary, watch DNS flip and recover",
    usage: "usage: runlater-iac demo\n\nRuns offline in about a second: virtual clock, loopback only, nothing left behind.",
    async run(args, io) {
      if (args.includes("-h") || args.includes("--help")) {
        io.out(this.usage);
        return 0;
      }
      if (args.length > 0) throw new CliUsageError(`unknown option ${args[0]}`);
      const { runDemo } = await import("./demo");
      const r = await runDemo((line) => io.out(line));
      if (!r.failedOverAt || !r.recoveredAt) {
        io.err("demo: the record did not fail over and back as expected");
        return 1;
      }
      return 0;
    },
  },
  emulator: {
    summary: "run the local Runlater + DNS provider API emulator (runs the failover loop)",
    usage: EMULATOR_USAGE,
    async run(args, io, signal) {
      if (parseEmulatorArgs(args).help) {
        io.out(EMULATOR_USAGE);
        return 0;
      }
      const emu = await startEmulatorFromArgs(args, io);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        if (signal) {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", stop, { once: true });
        } else {
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        }
      });
      io.out("stopping emulator …");
      await emu.close();
      return 0;
    },
  },
  drill: {
    summary: "exercise a deployed failover (endpoints, or --full through the health check) and put everything back",
    usage: DRILL_USAGE,
    async run(args, io, signal) {
      const { runDrillCommand } = await import("./ops/cli");
      return runDrillCommand(args, io, signal);
    },
  },
  status: {
    summary: "where each failover stands: health streak, record content, verdict (exit code for pipelines)",
    usage: STATUS_USAGE,
    async run(args, io, signal) {
      const { runStatusCommand } = await import("./ops/cli");
      return runStatusCommand(args, io, signal);
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    "usage: runlater-iac <command> [options]",
    "",
    "commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "run `runlater-iac <command> --help` for a command's options",
  ].join("\n");
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = defaultIo, signal?: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) {
    io.err(`runlater-iac: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io, signal);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(`runlater-iac ${name}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    io.err(`runlater-iac ${name}: ${(e as Error).message}`);
    return 1;
  }
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
