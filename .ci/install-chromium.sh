#!/bin/sh
# Installs Debian's headless Chromium for the ignored browser test of the HTML report:
#   cargo test --test integration report_browser:: -- --ignored
# Skips the install when chromium is already on the machine.
set -eu
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
chromium --version
