#!/usr/bin/env bash
# Builds OpenTofu and the magodo/restful provider from the Go module proxy, lays the provider out
# as a filesystem mirror with a CLI config, and prints ENV_FILE=<env.sh>.
# Usage: scripts/engines/tofu.sh <cache dir>
#
# - OpenTofu's go.mod replaces hcl/v2 with opentofu's fork, so `go install` refuses it: a wrapper
#   module repeats that replace.
# - terraform-provider-restful imports github.com/magodo/terraform-plugin-framework-docs only to
#   attach documentation examples; the proxy does not serve that module (403), so the wrapper
#   replaces it with our declaration-only stand-in (scripts/engines/tofu/fwdocs-stub).
# - cloudflare/cloudflare v5 is not a valid Go module version (its go.mod lacks the /v5 suffix) and
#   the proxy serves no version or pseudo-version of it, so it cannot be built here. If you have a
#   binary, set RUNLATER_TF_CLOUDFLARE_PROVIDER=/path/to/terraform-provider-cloudflare_v5.14.0 and it
#   is added to the mirror (RUNLATER_TF_HAS_CLOUDFLARE=1 then tells the tests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
. "$ROOT/scripts/engines/common.sh"
CACHE=${1:?usage: tofu.sh <cache dir>}
TOFU_VERSION=v1.12.6
RESTFUL_VERSION=v0.25.2
CLOUDFLARE_VERSION=5.14.0
GOV=$(go env GOVERSION)
DIR="$CACHE/tofu-$TOFU_VERSION-restful-$RESTFUL_VERSION-$GOV"
BIN="$DIR/bin"
MIRROR="$DIR/mirror"
mkdir -p "$BIN" "$MIRROR"

if [ ! -x "$BIN/tofu" ]; then
  wrapper_build "$DIR/build-tofu" runlater-iac.local/engines/tofu 1.26.6 "$BIN/tofu" \
    github.com/opentofu/opentofu/cmd/tofu \
    "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    "require github.com/opentofu/opentofu $TOFU_VERSION" \
    "" \
    "replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828"
  rm -rf "$DIR/build-tofu"
else
  log "tofu $TOFU_VERSION: cached"
fi

RESTFUL_BIN="$BIN/terraform-provider-restful_$RESTFUL_VERSION"
if [ ! -x "$RESTFUL_BIN" ]; then
  wrapper_build "$DIR/build-restful" runlater-iac.local/engines/restful 1.26.0 "$RESTFUL_BIN" \
    github.com/magodo/terraform-provider-restful \
    "-s -w -X main.version=${RESTFUL_VERSION#v}" \
    "require github.com/magodo/terraform-provider-restful $RESTFUL_VERSION" \
    "" \
    "replace github.com/magodo/terraform-plugin-framework-docs => $ROOT/scripts/engines/tofu/fwdocs-stub"
  rm -rf "$DIR/build-restful"
else
  log "restful $RESTFUL_VERSION: cached"
fi

place() { # place <namespace/type> <version> <binary>
  local host
  for host in registry.terraform.io registry.opentofu.org; do
    local d="$MIRROR/$host/$1/$2/linux_amd64"
    mkdir -p "$d"
    ln -f "$3" "$d/$(basename "$3")" 2>/dev/null || cp -f "$3" "$d/$(basename "$3")"
  done
}
place magodo/restful "${RESTFUL_VERSION#v}" "$RESTFUL_BIN"
HAS_CF=0
if [ -n "${RUNLATER_TF_CLOUDFLARE_PROVIDER:-}" ] && [ -x "$RUNLATER_TF_CLOUDFLARE_PROVIDER" ]; then
  cp -f "$RUNLATER_TF_CLOUDFLARE_PROVIDER" "$BIN/terraform-provider-cloudflare_v$CLOUDFLARE_VERSION"
  place cloudflare/cloudflare "$CLOUDFLARE_VERSION" "$BIN/terraform-provider-cloudflare_v$CLOUDFLARE_VERSION"
  HAS_CF=1
  log "cloudflare $CLOUDFLARE_VERSION: added from RUNLATER_TF_CLOUDFLARE_PROVIDER"
else
  rm -rf "$MIRROR"/*/cloudflare
  log "cloudflare/cloudflare $CLOUDFLARE_VERSION: not buildable from the Go module proxy; the e2e manages the record in the emulator instead (set RUNLATER_TF_CLOUDFLARE_PROVIDER to a binary to include it)"
fi

cat > "$DIR/tofu.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
RC
# cdktf/cdktn `deploy` runs `tofu providers lock`, which ignores the CLI config's mirror and asks
# the registry; this wrapper points that one subcommand at the mirror (TERRAFORM_BINARY_NAME).
cat > "$BIN/tofu-offline" <<SH
#!/bin/sh
# tofu, but \`providers lock\` reads the offline filesystem mirror (for cdktf/cdktn deploy).
if [ "\$1" = providers ] && [ "\$2" = lock ]; then
  shift 2
  exec "$BIN/tofu" providers lock -fs-mirror="$MIRROR" "\$@"
fi
exec "$BIN/tofu" "\$@"
SH
chmod +x "$BIN/tofu-offline"

cat > "$DIR/env.sh" <<SH
export PATH="$BIN:\$PATH"
export RUNLATER_TOFU="$BIN/tofu"
export TF_CLI_CONFIG_FILE="$DIR/tofu.rc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
export RUNLATER_TF_HAS_CLOUDFLARE=$HAS_CF
SH
echo "ENV_FILE=$DIR/env.sh"
