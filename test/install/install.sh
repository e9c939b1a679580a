#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `meson install` into a temporary DESTDIR, then checks the installed layout:
#  - both PMDs in the directory Debian's EAL loads plugins from by itself,
#    described by dpdk-pmdinfo.py with their parameters;
#  - the xenemu command, its daemon and xen-traffic in bindir;
#  - xenemu's drop-in Xen libraries in a private <libdir>/xenemu, never beside
#    the system's real libxengnttab/libxenevtchn;
#  - the vif hotplug script vif-dpdk, executable, in Xen's scripts directory
#    (option xen_scripts_dir);
# and that the installed files work: the installed xenemu runs the installed
# plugins in two dpdk-testpmd processes that exchange traffic.
#
# Usage: install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
# not under /tmp: EAL refuses plugins below a world-writable directory
dest=$(mktemp -d "$build/install-root.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; fail "meson install"; }
rm -f "$dest.log"

eal_pmd_dir=$(pkg-config --variable=libdir libdpdk)/dpdk/pmds-23.0
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
libdir=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["libdir"])')
scripts=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["xen_scripts_dir"])')
[ -x "$dest$scripts/vif-dpdk" ] || fail "$scripts/vif-dpdk is not installed (executable)"
echo "ok installed $scripts/vif-dpdk"
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac

for f in "$eal_pmd_dir/librte_net_xennet.so" "$eal_pmd_dir/librte_net_xenback.so" \
	 "$prefix/bin/xenemu" "$prefix/bin/xenemu-xenstored" "$prefix/bin/xen-traffic" \
	 "$libdir/xenemu/libxengnttab.so.1" "$libdir/xenemu/libxenevtchn.so.1"; do
	[ -e "$dest$f" ] || fail "$f is not installed"
	echo "ok installed $f"
done
if find "$dest" -name 'libxengnttab.so*' -o -name 'libxenevtchn.so*' |
	grep -v "^$dest$libdir/xenemu/" | grep -q .; then
	fail "a drop-in Xen library is installed outside $libdir/xenemu"
fi
echo "ok xenemu's Xen libraries are private to $libdir/xenemu"

for d in xennet:devid,queues,ring_page_order,sg,csum,gso,split_evtchn \
	 xenback:domid,domain,devid,max_queues,max_ring_page_order,sg,csum,gso,split_evtchn; do
	name=${d%%:*} params=${d#*:}
	info=$(dpdk-pmdinfo.py "$dest$eal_pmd_dir/librte_net_$name.so")
	echo "$info" | grep -q "\"name\": \"net_$name\"" || fail "pmdinfo of net_$name: $info"
	for p in ${params//,/ }; do
		echo "$info" | grep -q "$p=" || fail "pmdinfo of net_$name lacks $p: $info"
	done
	echo "ok dpdk-pmdinfo.py describes net_$name and its parameters"
done

# The installed xenemu finds its daemon beside itself; its libraries are
# looked for under the real prefix, so point it at the DESTDIR copy.
export XENEMU_LIBDIR=$dest$libdir/xenemu
python3 "$src/test/pair/testpmd_pair.py" --xenemu "$dest$prefix/bin/xenemu" \
	--xenback "$dest$eal_pmd_dir/librte_net_xenback.so" \
	--xennet "$dest$eal_pmd_dir/librte_net_xennet.so" \
	--sizes 64 --log-dir "$build/install-logs" ||
	fail "the installed drivers did not exchange traffic"
echo "ok the installed xenemu and plugins run in dpdk-testpmd"
