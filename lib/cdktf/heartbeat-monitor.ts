// STUB (lead): replaced by the client helper's HeartbeatMonitor on merge.
import { Construct } from "constructs";
export class HeartbeatMonitor extends Construct {
  readonly pingUrl: string;
  constructor(scope: Construct, id: string, _props: Record<string, unknown>) {
    super(scope, id);
    this.pingUrl = "";
  }
}
