#!/usr/bin/env bash
# Installs Debian's prometheus package (prometheus + promtool) when either binary is missing.
# The integration test starts its own prometheus on a free loopback port with its own config
# and data dir, so the Debian service the package brings is stopped and disabled again: a
# second, system-wide Prometheus would only compete for the two CPU cores.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exit code 101 tells invoke-rc.d not to start services during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null

# Where systemd runs (not in CI containers), make sure the packaged service stays off.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

prometheus --version | head -n 1
