# Shared helpers of scripts/engines/*.sh (sourced). Logs go to stderr; stdout is reserved for the
# ENV_FILE line the caller parses.
log() { echo "[engines] $*" >&2; }
now() { date +%s; }

# wrapper_build <dir> <module-path> <go-version> <out-binary> <package> <ldflags> <go.mod body lines…>
# Writes a throwaway wrapper module in <dir> whose go.mod requires what the body says (and repeats
# the upstream module's non-local replace directives), then builds <package> from it.
wrapper_build() {
  local dir=$1 mod=$2 gover=$3 out=$4 pkg=$5 ldflags=$6
  shift 6
  rm -rf "$dir" && mkdir -p "$dir"
  {
    echo "module $mod"
    echo
    echo "go $gover"
    echo
    printf '%s\n' "$@"
  } > "$dir/go.mod"
  # A tools file so `go mod tidy` keeps the requirement of the main package we build.
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$dir/tools.go"
  local t0
  t0=$(now)
  log "building $pkg (wrapper module $dir) …"
  (cd "$dir" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod tidy >&2 && \
    CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg" >&2)
  mv "$out.tmp" "$out"
  log "built $(basename "$out") in $(( $(now) - t0 ))s ($(du -h "$out" | cut -f1))"
}
