#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to for real (no mocks), when missing.
# Idempotent: each line checks for the binary first. Needs root (or passwordless sudo) for apt-get.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
updated=0
apt_install() {
  if [ "$updated" -eq 0 ]; then $SUDO apt-get update -qq; updated=1; fi
  # Only what the tests run: recommends would add node-exporter, smartmontools, ipmitool and MariaDB
  # libraries (63 packages). policy-rc.d stops the packages' scripts from starting services: every
  # test starts the servers it needs itself, on ports it picks.
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null; $SUDO chmod +x "$policy"; placed=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
  if [ "$placed" -eq 1 ]; then $SUDO rm -f "$policy"; fi
}

# Alert engine end-to-end test: the real Prometheus Alertmanager (src/alert, test/alerts.e2e.test.ts).
command -v prometheus-alertmanager >/dev/null || apt_install prometheus-alertmanager

# Dashboard browser tests (packages/web/test): Debian's Chromium, driven by playwright-core.
command -v chromium >/dev/null || apt_install chromium

# ClickHouse store backend tests (src/store/clickhouse, test/clickhouse*.test.ts): Debian's
# clickhouse-server 18.16; the tests start their own server processes (test/support/clickhouse.ts).
command -v clickhouse-server >/dev/null || apt_install clickhouse-server clickhouse-client

# /metrics tests (test/metrics-prometheus.e2e.test.ts, src/http/metrics): a real Prometheus scrapes
# Sightline, and promtool checks the exposition. Debian's `prometheus` package has both binaries.
command -v prometheus >/dev/null && command -v promtool >/dev/null || apt_install prometheus
