// STUB (lead): replaced by the client helper's HeartbeatMonitor on merge.
import * as pulumi from "@pulumi/pulumi";
export interface HeartbeatMonitorArgs { name?: pulumi.Input<string> }
export class HeartbeatMonitor extends pulumi.ComponentResource {
  readonly pingUrl: pulumi.Output<string>;
  constructor(name: string, _args: HeartbeatMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("runlater:stub:HeartbeatMonitor", name, {}, opts);
    this.pingUrl = pulumi.output("https://runlater.eu/ping/pm_stub");
    this.registerOutputs({});
  }
}
