#!/usr/bin/env bash
# The Debian packages the test suite needs: chromium (browser tests), nginx (tests behind a real reverse proxy)
# and the pango libraries WeasyPrint needs. Installs what is missing when it can (root with apt-get, as on CI);
# otherwise stops with the exact command to run, so the suite never passes by silently skipping tests.
# With --benchmarks, also what benchmarks/ drive the servers with (wrk).
set -euo pipefail

packages=(chromium nginx libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-}" = "--benchmarks" ]; then packages+=(wrk); fi
missing=()
for p in "${packages[@]}"; do
  # nginx-light or nginx-full also provide /usr/sbin/nginx.
  if [ "$p" = nginx ] && [ -x /usr/sbin/nginx ]; then continue; fi
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
