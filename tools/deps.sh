#!/usr/bin/env bash
# deps.sh -- install the Debian 12 packages lurewatch builds and tests with,
# if any is missing. Needs root (or sudo). Used by the README's commands and CI.
set -euo pipefail
# libhs: Vectorscan (DESIGN.md). If Intel Hyperscan's -dev package is
# already installed (the benchmark installs it beside rspamd, which depends
# on it), keep it: both provide the same hs.h API and libhs.pc.
hs=libvectorscan-dev
if dpkg-query -W -f='${Status}' libhyperscan-dev 2>/dev/null | grep -q "install ok installed"; then
    hs=libhyperscan-dev
fi
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
      "$hs" libpcre2-dev libicu-dev libgmime-3.0-dev libcsv-dev libzip-dev libjansson-dev
      libxxhash-dev libsqlite3-dev libcmocka-dev zip)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
