#!/usr/bin/env bash
# The Debian packages the client and browser tests need (test/clients.process.test.ts): Google's Python
# client (loaded by /usr/bin/python3; with requests and pytest, for the journal's pytest example), Google's Go client and the Go toolchain (built offline in
# GOPATH mode), Chromium (driven headless by playwright-core; no browser download), the sign-in
# libraries (google-auth-oauthlib, golang.org/x/oauth2's google package: test/oauth-clients.process.test.ts), pip and setuptools
# for the pytest plugin (test/pytest-plugin.process.test.ts), and the web
# UI's other engines: Firefox ESR (driven over WebDriver BiDi by puppeteer-core) and WebKitGTK,
# Safari's engine (its WebDriver, on a virtual display: xvfb-run).
# Debian 12 (bookworm) or later. As root it installs them; as another user it runs itself again
# through sudo, where there is one. Also curl and openssl, which the documentation's shell
# examples use (test/docs.process.test.ts runs them).
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -- bash "$0" "$@"; fi
  echo "install-test-deps.sh: run it as root (apt-get needs it), or install sudo" >&2
  exit 1
fi
packages=(
  curl openssl chromium firefox-esr webkit2gtk-driver xvfb xauth
  python3-googleapi python3-google-auth python3-google-auth-httplib2 python3-google-auth-oauthlib python3-requests python3-pytest python3-pip python3-setuptools
  golang-go golang-google-api-dev golang-golang-x-oauth2-dev golang-golang-x-oauth2-google-dev
)
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
