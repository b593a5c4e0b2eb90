/**
 * Drives the real dynamic-provider gRPC server that ships in `@pulumi/pulumi`
 * (`cmd/dynamic-provider`) the way the Pulumi engine does: Configure → Check → Diff → Create →
 * Read → Update → Delete, with protobuf Structs on the wire. The closest thing to `pulumi up`
 * without the CLI.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

const ROOT = path.join(__dirname, "..", "..");
const provproto: any = require("@pulumi/pulumi/proto/provider_pb");
const provrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
const structproto: any = require("google-protobuf/google/protobuf/struct_pb");
const statusproto: any = require("@pulumi/pulumi/proto/status_pb");

type Props = Record<string, unknown>;

/** A gRPC failure with the details the engine would see. */
export interface RpcError extends Error {
  code?: number;
  initFailed?: { id: string; properties: Props; reasons: string[] };
}

/** A running dynamic provider server and a typed client for it. */
export interface DynamicProviderServer {
  configure(config: Record<string, string>): Promise<void>;
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: number; replaces: string[]; diffs: string[] }>;
  create(urn: string, properties: Props): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, properties: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs?: Props }>;
  update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }>;
  delete(urn: string, id: string, properties: Props): Promise<void>;
  /** Everything the server wrote to stderr (for secret-leak assertions). */
  stderr(): string;
  close(): Promise<void>;
}

const s = (o: Props) => structproto.Struct.fromJavaScript(o);

/**
 * Starts `node …/cmd/dynamic-provider` with `env` and connects to it. `cwd` is the program
 * directory the engine would start it in (where the provider shim resolves runlater-iac from).
 */
export async function startDynamicProviderServer(env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<DynamicProviderServer> {
  const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [ROOT] });
  const child: ChildProcess = spawn(process.execPath, [entry, "127.0.0.1:1"], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`dynamic provider exited ${code}: ${err}`)));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: any): Promise<T> =>
    new Promise((resolve, reject) => {
      client[method](req, (e: any, res: T) => {
        if (!e) return resolve(res);
        const rpcErr: RpcError = new Error(e.details ?? e.message);
        rpcErr.code = e.code;
        const bin = e.metadata?.get("grpc-status-details-bin")?.[0];
        if (bin) {
          const status = statusproto.Status.deserializeBinary(bin);
          for (const any of status.getDetailsList()) {
            const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue());
            rpcErr.initFailed = {
              id: d.getId(),
              properties: d.getProperties()?.toJavaScript() ?? {},
              reasons: d.getReasonsList(),
            };
          }
        }
        reject(rpcErr);
      });
    });

  return {
    async configure(config) {
      const req = new provproto.ConfigureRequest();
      req.setArgs(s(config));
      await call("configure", req);
    },
    async check(urn, olds, news) {
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(s(olds));
      req.setNews(s(news));
      const res: any = await call("check", req);
      return {
        inputs: res.getInputs()?.toJavaScript() ?? {},
        failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(urn, id, olds, news) {
      const req = new provproto.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(s(olds));
      req.setNews(s(news));
      const res: any = await call("diff", req);
      return { changes: res.getChanges(), replaces: res.getReplacesList(), diffs: res.getDiffsList() };
    },
    async create(urn, properties) {
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(s(properties));
      const res: any = await call("create", req);
      return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
    },
    async read(urn, id, properties, inputs) {
      const req = new provproto.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(s(properties));
      if (inputs) req.setInputs(s(inputs));
      const res: any = await call("read", req);
      return {
        id: res.getId(),
        properties: res.getProperties()?.toJavaScript() ?? {},
        inputs: res.getInputs()?.toJavaScript(),
      };
    },
    async update(urn, id, olds, news) {
      const req = new provproto.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(s(olds));
      req.setNews(s(news));
      const res: any = await call("update", req);
      return { properties: res.getProperties()?.toJavaScript() ?? {} };
    },
    async delete(urn, id, properties) {
      const req = new provproto.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(s(properties));
      await call("delete", req);
    },
    stderr: () => err,
    async close() {
      client.close();
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
