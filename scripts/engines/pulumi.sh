#!/usr/bin/env bash
# Builds the Pulumi CLI from the Go module proxy into <cache>/pulumi-<version>-<go>/ and prints
# ENV_FILE=<env.sh>. Usage: scripts/engines/pulumi.sh <cache dir>
#
# - `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v` refuses (pkg/go.mod has replace
#   directives), so a wrapper module requires pkg/v3 and sdk/v3 at the same version and repeats the
#   non-local replace (atotto/clipboard → tgummerer/clipboard).
# - pulumi-language-nodejs (module sdk/nodejs/cmd/pulumi-language-nodejs/v3) is NOT served by the
#   module proxy reachable here (403 for every version and pseudo-version), so the language host
#   is test/support/language-host (TypeScript, gRPC LanguageRuntime) launched by a shim script; it
#   runs programs with @pulumi/pulumi's own `cmd/run`, as the Go host does.
# - pulumi-resource-pulumi-nodejs is the shim @pulumi/pulumi ships, pointed at our node_modules.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
. "$ROOT/scripts/engines/common.sh"
CACHE=${1:?usage: pulumi.sh <cache dir>}
# pkg/v3 versions the proxy serves: …, v3.248.0, v3.252.0, v3.260.0, v3.274.1. 3.248.0 is the SDK
# our Node 20 pass pins, so CLI and SDK match in the engine run.
PULUMI_VERSION=${RUNLATER_PULUMI_CLI_VERSION:-v3.248.0}
GOV=$(go env GOVERSION)
DIR="$CACHE/pulumi-$PULUMI_VERSION-$GOV"
BIN="$DIR/bin"
mkdir -p "$BIN"
if [ ! -x "$BIN/pulumi" ]; then
  wrapper_build "$DIR/build" runlater-iac.local/engines/pulumi 1.25 "$BIN/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    "require (" \
    "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION" \
    "	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" \
    ")" \
    "" \
    "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
  rm -rf "$DIR/build"
else
  log "pulumi $PULUMI_VERSION: cached ($BIN/pulumi)"
fi
# Shims are rewritten on every run (cheap) so they always point at this checkout's node_modules.
cat > "$BIN/pulumi-language-nodejs" <<SH
#!/bin/sh
# runlater-iac test language host (see scripts/engines/pulumi.sh)
exec node "$ROOT/test/support/language-host.js" "\$@"
SH
cat > "$BIN/pulumi-resource-pulumi-nodejs" <<SH
#!/bin/sh
exec node "$ROOT/node_modules/@pulumi/pulumi/cmd/dynamic-provider" "\$@"
SH
chmod +x "$BIN/pulumi-language-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
cat > "$DIR/env.sh" <<SH
export PATH="$BIN:\$PATH"
export RUNLATER_PULUMI_CLI="$BIN/pulumi"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
SH
echo "ENV_FILE=$DIR/env.sh"
