#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What the fuzz harnesses (test/fuzz) need on Debian 12: clang and
# libFuzzer's runtime (libfuzzer-14-dev). Idempotent: installs with apt only
# what is missing (as root), otherwise just checks.
set -euo pipefail

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
dpkg-query -W -f='${Status}' libfuzzer-14-dev 2>/dev/null |
	grep -q 'install ok installed' || need+=(libfuzzer-14-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-fuzz: missing ${need[*]}; run as root: apt-get install ${need[*]}" >&2
	exit 1
fi
echo "install-fuzz: installing ${need[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
