/**
 * Both resources on their own: a Runlater inbound endpoint that forwards to a webhook, and a
 * health-check task whose failure hook calls it.
 *
 *   pulumi config set --secret runlater:apiKey pk_live_….sk_live_…
 *   pulumi config set healthUrl https://api.example.com/health
 *   pulumi config set webhookUrl https://hooks.example.com/alerts
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { ForwardEndpoint, HealthCheckTask } from "runlater-iac/pulumi";

const config = new pulumi.Config();

const alert = new ForwardEndpoint("alert", {
  forwardUrls: [config.get("webhookUrl") ?? "https://hooks.example.com/alerts"],
  forwardMethod: "POST",
  forwardHeaders: { "Content-Type": "application/json" },
  forwardBody: { text: "primary health check failed" },
  retryAttempts: 3,
});

const health = new HealthCheckTask("api-health", {
  url: config.get("healthUrl") ?? "https://api.example.com/health",
  cron: "*/5 * * * *",
  timeoutMs: 10_000,
  expectedStatusCodes: [200],
  onFailureUrl: alert.inboundUrl,
});

export const taskId = health.taskId;
export const nextRunAt = health.nextRunAt;
export const alertInboundUrl = alert.inboundUrl; // secret
