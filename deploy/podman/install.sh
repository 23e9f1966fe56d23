#!/usr/bin/env bash
# Installs what deploy/podman/ needs when it is missing: Debian's podman, runc (the OCI runtime
# containers.conf names) and debootstrap (the base image), with apt-get as root. podman-compose
# comes from pyproject.toml's `deploy` extra (`make podman-deps`).
set -euo pipefail
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -gt 0 ] || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${missing[*]}; install them: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} with apt-get" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
