#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ABI drop-in test of xenemu's libxengnttab.so.1/libxenevtchn.so.1: a program
# linked against Debian's real libraries (gnttab_evtchn_abi) runs as two
# processes, domain 1 and domain 0, with LD_LIBRARY_PATH=<xenemu lib dir>,
# in a fresh state directory. Checks first, with ldd and LD_DEBUG, that the
# dynamic linker resolves the libraries to xenemu's.
#
# Usage: gnttab_evtchn_abi.sh <gnttab_mkdom> <gnttab_evtchn_abi> <xenemu lib dir>
set -u

mkdom=$1 prog=$2 libdir=$(cd "$3" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/xenemu-abi.XXXXXX") || exit 1
pid1=
cleanup() {
	[ -n "$pid1" ] && kill "$pid1" 2>/dev/null && wait "$pid1" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Without LD_LIBRARY_PATH (meson test sets one) the program runs on
# Debian's libraries...
deps=$(env -u LD_LIBRARY_PATH ldd "$prog")
for lib in libxengnttab.so.1 libxenevtchn.so.1 libxenstore.so; do
	echo "$deps" | grep -Eq "$lib[^ ]* => /(usr/)?lib/" ||
		fail "$prog is not linked against Debian's $lib"
done
# ...and gets xenemu's from LD_LIBRARY_PATH.
for lib in libxengnttab.so.1 libxenevtchn.so.1; do
	LD_LIBRARY_PATH=$libdir ldd "$prog" | grep -q "$lib => $libdir/$lib" ||
		fail "ldd does not resolve $lib to $libdir"
	LD_DEBUG=libs LD_LIBRARY_PATH=$libdir "$prog" 2>&1 >/dev/null |
		grep -q "calling init: $libdir/$lib" ||
		fail "LD_DEBUG: $lib not loaded from $libdir"
done

"$mkdom" "$dir" create 0 1 || fail "cannot create domains"
mkfifo "$dir/to-dom1" "$dir/to-dom0" || exit 1
export XENEMU_DIR=$dir XENEMU_EXPECT_LIBDIR=$libdir LD_LIBRARY_PATH=$libdir

XENEMU_DOMID=1 timeout 60 "$prog" dom1 <"$dir/to-dom1" >"$dir/to-dom0" &
pid1=$!
XENEMU_DOMID=0 timeout 60 "$prog" dom0 >"$dir/to-dom1" <"$dir/to-dom0"
rc0=$?
wait "$pid1"
rc1=$?
pid1=
[ "$rc0" = 0 ] || fail "dom0 exited with $rc0"
[ "$rc1" = 0 ] || fail "dom1 exited with $rc1"

# Both processes closed their handles; the domains go, leaving nothing.
"$mkdom" "$dir" destroy 1 0 || fail "cannot destroy domains"
[ -z "$(ls -A "$dir/dom")" ] || fail "files left in $dir/dom: $(ls -A "$dir/dom")"
echo "ok: ABI drop-in (dom0 and dom1 on xenemu's libraries from $libdir)"
