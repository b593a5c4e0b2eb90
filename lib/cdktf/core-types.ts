/**
 * Core-neutral types: the public `.d.ts` files of `runlater-iac/cdktf` take every CDKTF type
 * from here, never from `"cdktf"` directly, so a project that has only one core installed
 * (cdktf, or only cdktn) compiles. Each alias is cdktf's type when `cdktf` resolves in the
 * consuming project and cdktn's otherwise (cdktn 0.24's API is a superset of cdktf 0.21's).
 *
 * The `@ts-ignore` JSDoc tags are kept in the emitted `.d.ts` and silence "Cannot find module"
 * for the core that is not installed, also without `skipLibCheck`.
 */
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would fail where the core is installed
/** @ts-ignore -- absent where only cdktn is installed */
import type * as Cdktf from "cdktf";
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would fail where the core is installed
/** @ts-ignore -- absent where only cdktf is installed */
import type * as Cdktn from "cdktn";

/**
 * `true` when the consuming project has no `cdktf` (then cdktn's types are used). A module that
 * does not resolve is TypeScript's error type, which is assignable to any object type (so it
 * "has" a member no real core exports); the tuple keeps it from being passed as a type argument
 * (the error type would propagate through an `IsAny<T>` helper instead of selecting a branch).
 */
type NoCdktf = [typeof Cdktf] extends [{ __runlaterIacNotACoreExport: never }] ? true : false;

/** The core module's API as this library uses it: cdktf's when installed, else cdktn's. */
export type CoreModule = NoCdktf extends true ? typeof Cdktn : typeof Cdktf;
/** The core's `IResolvable` (a token). */
export type IResolvable = NoCdktf extends true ? Cdktn.IResolvable : Cdktf.IResolvable;
/** The core's `TerraformMetaArguments` (provider, dependsOn, count, forEach, lifecycle, …). */
export type TerraformMetaArguments = NoCdktf extends true ? Cdktn.TerraformMetaArguments : Cdktf.TerraformMetaArguments;
/** The core's `TerraformResourceLifecycle`. */
export type TerraformResourceLifecycle = NoCdktf extends true
  ? Cdktn.TerraformResourceLifecycle
  : Cdktf.TerraformResourceLifecycle;
/** The core's `TerraformProvider` instance type. */
export type TerraformProvider = NoCdktf extends true ? Cdktn.TerraformProvider : Cdktf.TerraformProvider;
/** The core's `TerraformResource` class: the base class of the L1 resources. */
export type TerraformResourceClass = CoreModule["TerraformResource"];
/** The core's `TerraformProvider` class: the base class of the L1 providers. */
export type TerraformProviderClass = CoreModule["TerraformProvider"];
