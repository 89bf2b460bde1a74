#!/bin/sh
# Installs headless Chromium for the ignored browser test of the HTML report:
#   cargo test --test report_browser -- --ignored
set -eu
apt-get update
apt-get install -y chromium
chromium --version
