/**
 * `RestfulOperation`: hand-written L1 binding of `restful_operation` from `magodo/restful` v0.25
 * (`docs/resources/operation.md`, `internal/provider/operation_resource.go`): one API call made on
 * create, and again whenever the configuration changes. Attribute names are the provider's.
 *
 * Semantics worth knowing (from the provider source):
 * - Create and Update send `body` merge-patched with `ephemeral_body` (only when `body` is not
 *   null: give `body: {}` for a request made of write-only fields alone).
 * - `ephemeral_body` is write-only: never in plan or state. Its hash is kept in private state on
 *   *every* create/update (unlike `restful_resource`, whose update drops it when
 *   `ephemeral_body` is unchanged), so a changed value plans one update and nothing after.
 * - Read is a no-op (no API call, no drift), `path` forces replacement, and Delete calls the API
 *   only when `delete_method` is set.
 * - `output` is the response (ephemeral keys at the top level removed); restrict it with
 *   `output_attrs` when the API echoes write-only values in a nested object.
 */
import type { Construct } from "constructs";
import type { TerraformMetaArguments, TerraformResourceClass } from "./core-types";
import { cdktfCore } from "./core";
import { checkDisjointBodies, compact, metaArguments } from "./support";

/** Configuration of {@link RestfulOperation}: the arguments of `restful_operation` this library uses. */
export interface RestfulOperationConfig extends TerraformMetaArguments {
  /** Path of the call, relative to the provider's `base_url` (e.g. `${restful_resource.x.id}`). Changing it replaces the operation (the call is made again). */
  readonly path: string;
  /** HTTP method of the create/update call. */
  readonly method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  /** The request payload (stored in state). `{}` with `ephemeralBody` sends only the write-only fields. @default none (no body, and then no `ephemeral_body` either) */
  readonly body?: Record<string, unknown>;
  /** Write-only properties merge-patched into `body`; never in plan or state. Must be disjoint from `body`. */
  readonly ephemeralBody?: Record<string, unknown>;
  /** gjson paths of the response kept in `output`. @default all */
  readonly outputAttrs?: string[];
  /** Headers of the call (override the provider's). @default the provider's */
  readonly header?: Record<string, string>;
  /** Method of the delete call. @default no call on delete */
  readonly deleteMethod?: "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path of the delete call. @default `path` */
  readonly deletePath?: string;
}

/** A one-shot REST call managed by `magodo/restful` (see the module documentation). */
export class RestfulOperation extends (cdktfCore().TerraformResource as TerraformResourceClass) {
  /** Terraform resource type; used by the testing matchers. */
  static readonly tfResourceType = "restful_operation";

  private readonly config: RestfulOperationConfig;

  constructor(scope: Construct, id: string, config: RestfulOperationConfig) {
    super(scope, id, {
      terraformResourceType: "restful_operation",
      terraformGeneratorMetadata: { providerName: "restful" },
      ...metaArguments(config),
    });
    checkDisjointBodies("RestfulOperation", this.node.path, config.body ?? {}, config.ephemeralBody);
    this.config = config;
  }

  /** The operation id (its `path`). */
  get id(): string {
    return this.getStringAttribute("id");
  }

  /** The top-level keys of `ephemeral_body` (never the values). */
  get ephemeralBodyKeys(): string[] {
    return Object.keys(this.config.ephemeralBody ?? {});
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return compact({
      path: c.path,
      method: c.method,
      body: c.body,
      ephemeral_body: c.ephemeralBody,
      output_attrs: c.outputAttrs,
      header: c.header,
      delete_method: c.deleteMethod,
      delete_path: c.deletePath,
    });
  }
}
