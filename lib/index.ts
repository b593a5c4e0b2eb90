/**
 * runlater-iac: declarative DNS failover on Runlater. The root entry point holds the
 * engine-independent parts (Runlater client, validation, DNS adapters). Engine bindings live in
 * `runlater-iac/pulumi` and `runlater-iac/cdktf`; the emulator in `runlater-iac/emulator`.
 */
export * from "./runlater";
