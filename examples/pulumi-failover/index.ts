/**
 * DNS failover for a Cloudflare A record: a health check on the primary flips the record to the
 * backup when it fails, and back when it recovers.
 *
 * With `@pulumi/cloudflare` you would pass the managed record itself:
 *
 *   const record = new cloudflare.DnsRecord("www", { zoneId, name: "www.example.com", type: "A",
 *     content: primary, ttl: 60 }, failoverRecordOptions());   // ignoreChanges: ["content"]
 *   new DnsFailover("www", { record, cloudflare: { apiToken }, ... });
 *
 * This example takes the record as plain values (`zoneId`, `recordId`) so it runs without the
 * Cloudflare plugin, which cannot be installed offline; that is how the end-to-end tests run it
 * against the local emulator.
 */
import * as pulumi from "@pulumi/pulumi";
import { DnsFailover } from "runlater-iac/pulumi";

const config = new pulumi.Config();

const failover = new DnsFailover("www", {
  healthCheck: {
    url: config.require("healthUrl"),
    cron: config.get("cron") ?? "* * * * *",
    timeoutMs: config.getNumber("timeoutMs") ?? 10_000,
    expectedStatusCodes: [200],
  },
  primary: config.require("primary"),
  backup: config.require("backup"),
  record: {
    zoneId: config.require("zoneId"),
    recordId: config.require("recordId"),
    name: config.get("recordName"),
    type: "A",
    ttl: config.getNumber("ttl") ?? 60,
  },
  cloudflare: {
    apiToken: config.requireSecret("cloudflareApiToken"),
    apiBaseUrl: config.get("cloudflareApiUrl"),
  },
  // "compact" (default): one resource for every Runlater object; "per-object": one each.
  resources: config.get("resources") === "per-object" ? "per-object" : "compact",
});

export const taskId = failover.taskId;
export const failoverUrl = failover.failoverUrl;
export const recoveryUrl = failover.recoveryUrl;
export const summary = failover.summary;
