/**
 * `RestfulResource`: hand-written L1 binding of `restful_resource` from `magodo/restful` v0.25
 * (`docs/resources/resource.md`, `internal/provider/resource.go`). Attribute names are the
 * provider's; camelCase props map 1:1 to the snake_case attributes.
 *
 * Semantics worth knowing (from the provider source):
 * - Create sends `body` merge-patched with `ephemeral_body`; the id is `read_path` expanded
 *   against the create response (after `create_selector`).
 * - Read projects the GET response (after `read_selector`) onto the *type of `body`*, so only
 *   attributes present in `body` are compared: server-added fields cause no drift.
 * - `write_only_attrs` are copied from state when the GET response lacks them (no perpetual diff).
 * - `ephemeral_body` is write-only: never in plan or state; a hash in private state detects
 *   changes (shown as `output` becoming unknown). It must be disjoint from `body`.
 * - PATCH updates send a JSON merge patch of state `body` vs planned `body` (unless
 *   `merge_patch_disabled`), so removed keys are sent as `null`.
 * - `path` forces replacement; DELETE tolerates 404.
 */
import type { TerraformMetaArguments, TerraformResourceClass } from "./core-types";
import type { Construct } from "constructs";
import { cdktfCore } from "./core";
import { checkDisjointBodies, compact, metaArguments, toSnake } from "./support";

/** Expected status sentinels of a poll or precheck. */
export interface RestfulPollStatus {
  /** Sentinel for success (e.g. `"200"` with `statusLocator: "code"`). */
  readonly success: string;
  /** Sentinels that mean "keep waiting". */
  readonly pending?: string[];
}

/** `poll_create` / `poll_update` / `poll_delete`: wait for a long-running operation. */
export interface RestfulPoll {
  /** `code`, or `header.<path>` / `body.<gjson path>`. */
  readonly statusLocator: string;
  /** Expected sentinels. */
  readonly status: RestfulPollStatus;
  /** `header.<path>`, `body.<path>` or `exact.<value>`. @default the operation's URL */
  readonly urlLocator?: string;
  /** Headers of the poll requests. @default the resource's */
  readonly header?: Record<string, string>;
  /** Seconds between polls without `Retry-After`. @default 10 */
  readonly defaultDelaySec?: number;
}

/** One `precheck_*` entry: wait for an API status or hold a mutex. */
export interface RestfulPrecheck {
  readonly mutex?: string;
  readonly api?: {
    readonly statusLocator: string;
    readonly status: RestfulPollStatus;
    readonly path?: string;
    /** Query parameters of every request (override the provider's). @default none */
  readonly query?: Record<string, string[]>;
    readonly header?: Record<string, string>;
    readonly defaultDelaySec?: number;
  };
}

/** `post_create_read`: an extra read after create that re-derives the id and `output`. */
export interface RestfulPostCreateRead {
  /** Path to read (`$(path)`, `$(body.x)` from the create response). */
  readonly path: string;
  /** Query parameters of the read. */
  readonly query?: Record<string, string[]>;
  /** Headers of the read. */
  readonly header?: Record<string, string>;
  /** gjson selector applied to the response. @default the whole response */
  readonly selector?: string;
}

/** One `update_body_patches` entry. */
export interface RestfulUpdateBodyPatch {
  /** gjson/sjson path; `""` is the whole body. */
  readonly path: string;
  /** Raw JSON to set; may use `$(body.x)` from the state output. */
  readonly rawJson?: string;
  /** Remove the path instead. */
  readonly removed?: boolean;
}

/** Configuration of {@link RestfulResource}: every argument of `restful_resource` v0.25. */
export interface RestfulResourceConfig extends TerraformMetaArguments {
  /** Collection path the resource is created under, relative to the provider's `base_url`. Changing it replaces the resource. */
  readonly path: string;
  /** The managed properties (a JSON object; tokens allowed anywhere). Stored in state. */
  readonly body: Record<string, unknown>;
  /** Write-only properties merge-patched into the request body; never stored in plan or state. Must be disjoint from `body`. */
  readonly ephemeralBody?: Record<string, unknown>;
  /** Path to read the resource, also its id, e.g. `$(path)/$(body.id)` (`$(body…)` from the create response). @default `path` */
  readonly readPath?: string;
  /** Path to update the resource (`$(body…)` from state output). @default the id */
  readonly updatePath?: string;
  /** Path to delete the resource (`$(body…)` from state output). @default the id */
  readonly deletePath?: string;
  /** @default the provider's (POST) */
  readonly createMethod?: "PUT" | "POST" | "PATCH";
  /** @default the provider's (PUT) */
  readonly updateMethod?: "PUT" | "PATCH" | "POST";
  /** @default the provider's (DELETE) */
  readonly deleteMethod?: "DELETE" | "POST" | "PUT" | "PATCH";
  /** gjson path selecting the object in the create response. @default the whole response */
  readonly createSelector?: string;
  /** gjson path selecting the object in the read response. @default the whole response */
  readonly readSelector?: string;
  /** Template reshaping the read response (after the selector) into `body`'s structure. */
  readonly readResponseTemplate?: string;
  /** gjson paths in `body` the API never returns; copied from state on read. Prefer `ephemeralBody` for secrets. */
  readonly writeOnlyAttrs?: string[];
  /** Send the whole body instead of a JSON merge patch on PATCH. @default the provider's (false) */
  readonly mergePatchDisabled?: boolean;
  /** `body` paths whose change replaces the resource. */
  readonly forceNewAttrs?: string[];
  /** gjson paths exported in `output`. @default all */
  readonly outputAttrs?: string[];
  /** Store the response in `sensitive_output` instead of `output`. Changing it replaces the resource. @default false */
  readonly useSensitiveOutput?: boolean;
  /** Refuse to create over an existing object (tells the user to import). @default false */
  readonly checkExistance?: boolean;
  readonly query?: Record<string, string[]>;
  /** Query parameters of the create request. @default `query` */
  readonly createQuery?: Record<string, string[]>;
  /** Query parameters of read requests (`$(body.x)` allowed). @default `query` */
  readonly readQuery?: Record<string, string[]>;
  /** Query parameters of update requests (`$(body.x)` allowed). @default `query` */
  readonly updateQuery?: Record<string, string[]>;
  /** Query parameters of the delete request (`$(body.x)` allowed). @default `query` */
  readonly deleteQuery?: Record<string, string[]>;
  /** Headers of every request of this resource (override the provider's). */
  readonly header?: Record<string, string>;
  /** Headers of the create request. @default `header` */
  readonly createHeader?: Record<string, string>;
  /** Headers of read requests (`$(body.x)` allowed). @default `header` */
  readonly readHeader?: Record<string, string>;
  /** Headers of update requests (`$(body.x)` allowed). @default `header` */
  readonly updateHeader?: Record<string, string>;
  /** Headers of the delete request (`$(body.x)` allowed). @default `header` */
  readonly deleteHeader?: Record<string, string>;
  /** Wait for an asynchronous create. @default no polling */
  readonly pollCreate?: RestfulPoll;
  /** Wait for an asynchronous update. @default no polling */
  readonly pollUpdate?: RestfulPoll;
  /** Wait for an asynchronous delete. @default no polling */
  readonly pollDelete?: RestfulPoll;
  /** Conditions to wait for before create. @default none */
  readonly precheckCreate?: RestfulPrecheck[];
  /** Conditions to wait for before update. @default none */
  readonly precheckUpdate?: RestfulPrecheck[];
  /** Conditions to wait for before delete. @default none */
  readonly precheckDelete?: RestfulPrecheck[];
  /** An extra read after create that re-derives the id and `output`. @default none */
  readonly postCreateRead?: RestfulPostCreateRead;
  /** Body of the delete request. Exclusive with `deleteBodyRaw`. @default none */
  readonly deleteBody?: Record<string, unknown>;
  /** Raw body of the delete request (`$(body.x)` from state output). @default none */
  readonly deleteBodyRaw?: string;
  /** Patches applied to the update body only (they never trigger an update by themselves). @default none */
  readonly updateBodyPatches?: RestfulUpdateBodyPatch[];
}

/**
 * A generic REST object managed by `magodo/restful`. See the module documentation for the
 * provider's semantics. `output` attributes are exposed as tokens through {@link outputString}.
 */
export class RestfulResource extends (cdktfCore().TerraformResource as TerraformResourceClass) {
  /** Terraform resource type; used by the testing matchers. */
  static readonly tfResourceType = "restful_resource";

  private readonly config: RestfulResourceConfig;

  constructor(scope: Construct, id: string, config: RestfulResourceConfig) {
    super(scope, id, {
      terraformResourceType: "restful_resource",
      terraformGeneratorMetadata: { providerName: "restful" },
      ...metaArguments(config),
    });
    checkDisjointBodies("RestfulResource", this.node.path, config.body, config.ephemeralBody);
    this.config = config;
  }

  /** The resource id (the expanded `read_path`, e.g. `/tasks/<uuid>`). */
  get id(): string {
    return this.getStringAttribute("id");
  }

  /** The whole `output` (a dynamic object) as a token. */
  get output(): { [key: string]: unknown } {
    return this.getAnyMapAttribute("output");
  }

  /** A string member of `output`, e.g. `outputString("inbound_url")` → `${restful_resource.x.output.inbound_url}`. */
  outputString(attribute: string): string {
    return this.getStringAttribute(`output.${attribute}`);
  }

  /** A number member of `output` as a token. */
  outputNumber(attribute: string): number {
    return this.getNumberAttribute(`output.${attribute}`);
  }

  /** The configured `body` (a copy). */
  get bodyInput(): Record<string, unknown> {
    return { ...this.config.body };
  }

  /** The top-level keys of `ephemeral_body` (never the values). */
  get ephemeralBodyKeys(): string[] {
    return Object.keys(this.config.ephemeralBody ?? {});
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return compact({
      path: c.path,
      body: c.body,
      ephemeral_body: c.ephemeralBody,
      read_path: c.readPath,
      update_path: c.updatePath,
      delete_path: c.deletePath,
      create_method: c.createMethod,
      update_method: c.updateMethod,
      delete_method: c.deleteMethod,
      create_selector: c.createSelector,
      read_selector: c.readSelector,
      read_response_template: c.readResponseTemplate,
      write_only_attrs: c.writeOnlyAttrs,
      merge_patch_disabled: c.mergePatchDisabled,
      force_new_attrs: c.forceNewAttrs,
      output_attrs: c.outputAttrs,
      use_sensitive_output: c.useSensitiveOutput,
      check_existance: c.checkExistance,
      query: c.query,
      create_query: c.createQuery,
      read_query: c.readQuery,
      update_query: c.updateQuery,
      delete_query: c.deleteQuery,
      header: c.header,
      create_header: c.createHeader,
      read_header: c.readHeader,
      update_header: c.updateHeader,
      delete_header: c.deleteHeader,
      poll_create: pollToTerraform(c.pollCreate),
      poll_update: pollToTerraform(c.pollUpdate),
      poll_delete: pollToTerraform(c.pollDelete),
      precheck_create: c.precheckCreate?.map(precheckToTerraform),
      precheck_update: c.precheckUpdate?.map(precheckToTerraform),
      precheck_delete: c.precheckDelete?.map(precheckToTerraform),
      post_create_read: c.postCreateRead
        ? compact({
            path: c.postCreateRead.path,
            query: c.postCreateRead.query,
            header: c.postCreateRead.header,
            selector: c.postCreateRead.selector,
          })
        : undefined,
      delete_body: c.deleteBody,
      delete_body_raw: c.deleteBodyRaw,
      update_body_patches: c.updateBodyPatches?.map((p) => compact({ path: p.path, raw_json: p.rawJson, removed: p.removed })),
    });
  }
}

function pollToTerraform(p: RestfulPoll | undefined): Record<string, unknown> | undefined {
  if (!p) return undefined;
  return compact({
    status_locator: p.statusLocator,
    status: toSnake(p.status),
    url_locator: p.urlLocator,
    header: p.header, // user keys: not snake-cased
    default_delay_sec: p.defaultDelaySec,
  });
}

function precheckToTerraform(p: RestfulPrecheck): Record<string, unknown> {
  return compact({
    mutex: p.mutex,
    api: p.api
      ? compact({
          status_locator: p.api.statusLocator,
          status: toSnake(p.api.status),
          path: p.api.path,
          query: p.api.query,
          header: p.api.header,
          default_delay_sec: p.api.defaultDelaySec,
        })
      : undefined,
  });
}
