/** Usage texts of the operations commands (no imports: the CLI table loads them eagerly). */

/** `runlater-iac drill --help`. */
export const DRILL_USAGE = `usage: runlater-iac drill --task ID [options]

Exercises a deployed failover (Runlater or the emulator) and puts everything back.
  endpoint drill (default): triggers the failover endpoint, waits until the record shows the
    backup, triggers the recovery endpoint, waits for the primary. With several records: every
    failover endpoint, every record on its backup, the restore endpoint, every record back.
  --full: points the health check at a failing URL (a 404 path on the same host), waits for the
    flip, restores the URL (checked field by field), waits for the recovery.
What must be restored is written to the journal before anything changes; a drill that was
interrupted (Ctrl-C, timeout, crash) is repaired by the next run.

  --task ID              health-check task id of the failover ("<name> health")   required
  --full                 full-chain drill through the health check
  --resolver HOST:PORT   also wait until this DNS server answers the new address
  --name FQDN            record name for --resolver when the stored request does not tell it
                         (one-record failovers; with several records the names come from the API)
  --force                drill even if the primary is unhealthy or the record is not on it
  --timeout SECONDS      longest wait of each step            default 120 (--full: 300)
  --poll SECONDS         time between two observations        default 2
  --fail-url URL         --full: the failing URL              default <health origin>/__runlater-iac-drill-404
  --journal FILE         drill journal (mode 0600)            default $XDG_STATE_HOME/runlater-iac/drill-journal.json
  --api-url URL          Runlater API base URL                default $RUNLATER_API_URL or https://runlater.eu/api/v1
  --json                 print one JSON report on stdout (progress goes to stderr)
  -h, --help             this help

The API key comes from RUNLATER_API_KEY (never printed).
Exit codes: 0 passed, 1 failed (or not everything could be put back), 2 usage error,
3 refused (misconfigured, primary unhealthy, record not on the primary; nothing changed).`;

/** `runlater-iac status --help`. */
export const STATUS_USAGE = `usage: runlater-iac status [--task ID] [options]

Where each failover stands: the health check's recent executions and current streak, the
record's content (read through the DNS provider's API), and a verdict:
  healthy        last check passed, record on the primary
  failed-over    last check failed, record on the backup
  converging     record and health disagree for less than the bound (a flip is under way)
  inconsistent   they disagree for longer than the bound, or the record shows neither address
  misconfigured  hooks not pointing at the endpoints, endpoint missing or disabled, recovery
                 endpoint not storing the primary, a latch monitor missing, disabled, paused
                 or not firing at the recovery path, …
  unknown        no finished check yet, or the record cannot be read
A failover of several records gets one row per record (#1, #2, …); its verdict is the worst
of its records'. Read-only. Without --task: every failover of the account (cron tasks named
"<name> health").

  --task ID              one failover by its health-check task id
  --bound SECONDS        longest acceptable disagreement      default 300
  --primary ADDR         the primary's address (the recovery endpoint must store it;
                         several records: those of its family, IPv4 or IPv6)
  --resolver HOST:PORT   also query this DNS server
  --executions N         health checks read per failover (1..100)   default 20
  --api-url URL          Runlater API base URL                default $RUNLATER_API_URL or https://runlater.eu/api/v1
  --json                 print JSON on stdout
  -h, --help             this help

The API key comes from RUNLATER_API_KEY (never printed).
Exit codes (the worst failover decides): 0 healthy / failed-over / converging / unknown,
1 inconsistent, 2 misconfigured or usage error, 3 the API could not be read.`;
