#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The real-Xen interop harness: boots the Xen 4.17 hypervisor with Debian's
# 6.1 kernel as a PV dom0 under QEMU TCG (no KVM, no /dev/xen needed on the
# host), runs the interop scenarios in one boot, and prints one verdict line
# per scenario ("PASS", "FAIL" or "SKIP"). Everything it boots comes from
# Debian packages; the project's build outputs (the two PMD plugins and
# xen-traffic) are staged into both domains at run time. doc/interop.rst is
# the manual.
#
# Usage: test/interop/run.sh [options]
#   --build-dir DIR   the project's Meson build directory (default:
#                     $MESON_BUILD_ROOT, else <repo>/build)
#   --scenarios LIST  comma-separated scenario ids (default:
#                     $XEN_INTEROP_SCENARIOS, else all; see --list)
#   --option VALUE    the Meson option 'interop': auto (default: skip when the
#                     machine cannot run it), enabled (that is a failure
#                     instead), disabled (skip at once)
#   --results DIR     results folder (default: <build-dir>/results/interop)
#   --cache DIR       image cache (default: $XEN_INTEROP_CACHE or
#                     /var/cache/xen-dpdk/interop)
#   --image-only      build (or find) the cached image set and stop
#   --shell           boot to a dom0 root shell on this terminal instead
#   --list            list the scenarios and stop
# Environment: QEMU_MEM (MiB, 2048), DOM0_MEM (1024M), QEMU_CPU, QEMU_SMP (2),
#   QEMU_ICOUNT (QEMU's -icount option: clocks that count instructions),
#   XEN_INTEROP_TIMEOUT (overall QEMU limit in s, 1200),
#   XEN_INTEROP_TRAFFIC_ARGS (xen-traffic's own arguments in scenario 3),
#   XEN_INTEROP_RATIO_ROUNDS (3), XEN_INTEROP_RATIO_SECONDS (10),
#   XEN_INTEROP_RATIO_SIZES (64,1500): scenario ratio's A/B rounds, seconds
#   per measurement and frame sizes.
# Exit status (for Meson): 0 every run scenario passed, 77 nothing was run
# (skipped), 1 a scenario failed or the harness itself did.
# The whole script is one compound command, so bash parses all of it before
# running any: editing this file during a run does not change the run.
{
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${MESON_BUILD_ROOT:-$top/build}
option=auto
scenarios=${XEN_INTEROP_SCENARIOS:-all}
results=
cache=${XEN_INTEROP_CACHE:-/var/cache/xen-dpdk/interop}
action=run

# id|name|needs (build outputs, relative to the build dir)|budget|least|what
#   budget: the scenario's time limit in s (a hang limit: generous for TCG
#   on a loaded host); least: the time it takes at the least on a loaded
#   host: it is not started when less than that is left of the overall limit.
scenario_table() {
	cat <<-'TAB'
	0|baseline|-|300|60|Linux netfront (PV guest) <-> Linux netback in dom0: ping both ways, 56 and 8000 B
	1|netfront-xenback|drivers/librte_net_xenback.so|420|90|Linux netfront <-> net_xenback (testpmd icmpecho) in dom0: ping 56/1400/9000/20000 B
	2|xennet-netback|drivers/librte_net_xennet.so|480|150|net_xennet (testpmd icmpecho, PV guest) <-> Linux netback: dom0 pings 56/1400/4000/8972 B
	3|xennet-xenback|drivers/librte_net_xennet.so drivers/librte_net_xenback.so app/xen-traffic|900|300|net_xennet <-> net_xenback, xen-traffic verified both ways: ring order 0 (PV) and 4 (PVH, hugepages)
	4|netfront-pair|drivers/librte_net_xenback.so|600|200|two Linux guests through two net_xenback ports (testpmd io): 4 MiB TCP file, checksums, features on and off
	5a|mq-netfront-xenback|drivers/librte_net_xenback.so|420|90|Linux netfront with 2 queues <-> net_xenback max_queues=2: traffic on both queues
	5b|mq-xennet-netback|drivers/librte_net_xennet.so|720|150|net_xennet queues=2 <-> Linux netback: RSS with its own key and RETA as a reference Toeplitz predicts, multicast control
	6|ovs-vif-dpdk|drivers/librte_net_xenback.so|900|240|OVS-DPDK with a wildcard net_xenback in dom0, a Linux guest with script=vif-dpdk (xl create not paused), through xl reboot and a re-create: vif-dpdk adds the port each time, pings both ways, one ovs-vswitchd
	smoke|dpdk|-|420|150|(not in 'all') Debian's testpmd with net_null in dom0, a PV guest and a PVH guest (hugepages): checks the DPDK plumbing itself
	tso|xennet-tso|drivers/librte_net_xennet.so|600|150|net_xennet TSO and checksum offload through Linux netback: testpmd csum engine as a middlebox to a Linux receiver whose path segments in software
	ratio|xennet-ratio|drivers/librte_net_xennet.so drivers/librte_net_xenback.so app/xen-traffic|1800|300|(not in 'all'; a benchmark, bench/real-xen.sh) one net_xennet guest sending at full rate (xen-traffic gen) over net_xenback and over Linux netback in A/B rounds: frames/s of each and the ratio per size
	TAB
}

usage() { sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=$2; shift 2 ;;
	--scenarios) scenarios=$2; shift 2 ;;
	--option) option=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--image-only) action=image; shift ;;
	--shell) action=shell; shift ;;
	--list) action=list; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "interop: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case $option in auto|enabled|disabled) ;; *)
	echo "interop: --option must be auto, enabled or disabled, not '$option'" >&2; exit 2 ;;
esac
build=$(cd "$build" 2>/dev/null && pwd) || { echo "interop: no build directory $build" >&2; exit 2; }
results=${results:-$build/results/interop}

if [ "$action" = list ]; then
	scenario_table | while IFS='|' read -r id name needs budget least what; do
		printf '%-3s %-20s %s\n' "$id" "$name" "$what"
	done
	exit 0
fi

log() { echo "interop: $*"; }
# cannot_run REASON: the machine cannot run the suite; skipped unless the
# option says it must run.
cannot_run() {
	if [ "$option" = enabled ]; then
		log "FAIL: $* (the interop option is 'enabled')"
		exit 1
	fi
	log "SKIP: $*"
	exit 77
}

[ "$option" = disabled ] && { log "SKIP: the Meson option 'interop' is disabled"; exit 77; }

# Which scenarios: validate the list against the table.
all_ids=$(scenario_table | cut -d'|' -f1 | tr '\n' ' ')
if [ "$scenarios" = all ]; then
	sel=${all_ids/smoke/}
	sel=${sel/ratio/}
else
	sel=
	for s in ${scenarios//,/ }; do
		case " $all_ids " in *" $s "*) sel="$sel $s" ;;
		*) echo "interop: unknown scenario '$s' (known: $all_ids)" >&2; exit 2 ;;
		esac
	done
fi

# --- what this machine needs -------------------------------------------------
[ "$(id -u)" = 0 ] || cannot_run "needs root (apt-get, mmdebstrap, the image cache)"
[ "$(uname -m)" = x86_64 ] || cannot_run "needs an x86_64 host"
avail_kb=$(awk '/^MemAvailable:/{print $2}' /proc/meminfo)
need_mb=$(( ${QEMU_MEM:-2048} + 768 ))
[ "$avail_kb" -ge $((need_mb * 1024)) ] ||
	cannot_run "needs ${need_mb} MiB of free memory, $((avail_kb / 1024)) MiB available"

host_pkgs=(qemu-system-x86 mmdebstrap busybox-static cpio kmod xz-utils gzip dpdk xenstore-utils)
missing=()
for p in "${host_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing host packages: ${missing[*]}"
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 ||
		cannot_run "apt-get install ${missing[*]} failed"
fi
command -v qemu-system-x86_64 >/dev/null || cannot_run "no qemu-system-x86_64"

# --- the cached image set ----------------------------------------------------
# Key: the Debian package versions that go in, and the files of ours that are
# baked into the images. Scenario scripts are not baked in (they reach dom0
# through the 9p share), so editing them does not rebuild anything.
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/{print $2; exit}'; }
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1\.[0-9]/{print $2; exit}')
if [ -z "$kpkg" ] || [ -z "$(candidate xen-hypervisor-4.17-amd64)" ]; then
	apt-get update -q >/dev/null 2>&1 || true
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1\.[0-9]/{print $2; exit}')
fi
[ -n "$kpkg" ] || cannot_run "apt knows no Debian 6.1 kernel package (linux-image-amd64)"
xen_ver=$(candidate xen-hypervisor-4.17-amd64)
[ -n "$xen_ver" ] && [ "$xen_ver" != "(none)" ] || cannot_run "apt knows no xen-hypervisor-4.17-amd64"
key_inputs=$(
	echo "xen-hypervisor-4.17-amd64 $xen_ver"
	echo "$kpkg $(candidate "$kpkg")"
	echo "xen-utils-4.17 $(candidate xen-utils-4.17)"
	echo "busybox-static $(dpkg-query -W -f='${Version}' busybox-static)"
	echo "dpdk $(dpkg-query -W -f='${Version}' dpdk)"
	echo "xenstore-utils $(dpkg-query -W -f='${Version}' xenstore-utils)"
	echo "openvswitch-switch-dpdk $(candidate openvswitch-switch-dpdk)"
	sed -n '/^# >>> image build/,/^# <<< image build/p' "$0" | sha256sum
	cat "$here/image/dom0-init" "$here/image/domU-init" "$here/image/vif-noop" "$top/scripts/vif-dpdk" | sha256sum
)
key=$(echo "$key_inputs" | sha256sum | cut -c1-16)
img=$cache/img-$key

# >>> image build (this section's text is part of the cache key)
# fetch_debs DIR PKG...: apt-get download into DIR and unpack into DIR/x.
fetch_debs() {
	local d=$1; shift
	mkdir -p "$d/debs" "$d/x"
	(cd "$d/debs" && apt-get download -q "$@" >/dev/null 2>&1) || return 1
	local f
	for f in "$d"/debs/*.deb; do dpkg-deb -x "$f" "$d/x"; done
}

# copy_mods KVER XROOT ROOT MOD...: the modules and their dependencies from the
# unpacked kernel package XROOT into ROOT, their insmod order in
# ROOT/lib/modules/load.list, and depmod's tables.
copy_mods() {
	local kv=$1 x=$2 root=$3 m p rel; shift 3
	mkdir -p "$root/lib/modules/$kv"
	: > "$root/lib/modules/load.list"
	for m in "$@"; do
		modprobe -d "$x" -S "$kv" --show-depends "$m" | awk '$1 == "insmod" {print $2}' |
		while read -r p; do
			rel=${p#"$x"/lib/modules/}
			mkdir -p "$root/lib/modules/$(dirname "$rel")"
			cp "$p" "$root/lib/modules/$rel"
			grep -qxF "$rel" "$root/lib/modules/load.list" || echo "$rel" >> "$root/lib/modules/load.list"
		done
	done
	cp "$x/lib/modules/$kv/modules.order" "$x/lib/modules/$kv"/modules.builtin* "$root/lib/modules/$kv/"
	depmod -b "$root" "$kv"
}

# copy_closure ROOT FILE...: FILE and the shared libraries it needs (ldd),
# at their own paths under ROOT.
copy_closure() {
	local root=$1 f l; shift
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		ldd "$f" | awk '/=> \// {print $3} /^\t\/lib64\// {print $1}' | while read -r l; do
			mkdir -p "$root$(dirname "$l")"
			[ -e "$root$l" ] || cp -L "$l" "$root$l"
		done
	done
}

# mkcpio DIR OUT: an uncompressed newc archive (QEMU copies it into guest RAM
# as is; Linux unpacks it without decompressing anything under TCG).
mkcpio() { (cd "$1" && find . -xdev -print | cpio -o -H newc --quiet) > "$2"; }

build_images() {
	local w=$1 out=$2 kv
	rm -rf "$w"
	mkdir -p "$w" "$out"
	log "image: downloading xen-hypervisor-4.17-amd64 and $kpkg"
	fetch_debs "$w" xen-hypervisor-4.17-amd64 "$kpkg" || return 2
	kv=${kpkg#linux-image-}
	depmod -b "$w/x" "$kv"
	zcat "$w/x/boot/xen-4.17-amd64.gz" > "$out/xen"   # ELF32 multiboot: QEMU -kernel loads it
	cp "$w/x/boot/vmlinuz-$kv" "$out/vmlinuz"         # dom0 kernel (Xen unpacks bzImage itself)
	echo "$kv" > "$out/kernel-version"

	# Guests get the same kernel as a gzip'ed ELF vmlinux: xl create then
	# gunzips it instead of un-xz'ing the bzImage, ~5 s faster under TCG.
	local bz=$out/vmlinuz ss po pl off
	ss=$(od -An -tu1 -j$((0x1f1)) -N1 "$bz"); po=$(od -An -tu4 -j$((0x248)) -N4 "$bz")
	pl=$(od -An -tu4 -j$((0x24c)) -N4 "$bz"); off=$(( (ss + 1) * 512 + po ))
	[ "$(od -An -tx1 -j"$off" -N6 "$bz" | tr -d ' \n')" = fd377a585a00 ] ||
		{ log "image: the bzImage payload is not xz"; return 1; }
	dd if="$bz" iflag=skip_bytes,count_bytes skip="$off" count=$((pl)) bs=64k status=none |
		xz -dc --single-stream | gzip -1 > "$w/vmlinux.gz"

	# Debian's DPDK runtime: dpdk-testpmd, its libraries, the mempool driver
	# and net_null, in /opt/dpdk of both domains. glibc dlopen()s libgcc_s
	# for pthread_cancel (ldd does not list it).
	log "image: Debian's DPDK runtime"
	local pmds=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0 d=$w/dpdk/opt/dpdk
	mkdir -p "$d/bin" "$d/lib"
	cp /usr/bin/dpdk-testpmd "$d/bin/"
	local f l
	for f in /usr/bin/dpdk-testpmd "$pmds/librte_mempool_ring.so.23" "$pmds/librte_net_null.so.23"; do
		[ "${f##*/}" = dpdk-testpmd ] || cp -L "$f" "$d/lib/"
		ldd "$f" | awk '/=> \// {print $3}' | while read -r l; do cp -L "$l" "$d/lib/"; done
	done
	cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$d/lib/"
	# coreutils' stdbuf preload: testpmd writes its "ready" line to a log
	# file, where stdio would hold it back in a full buffer.
	cp -L /usr/libexec/coreutils/libstdbuf.so "$d/lib/"
	mkcpio "$w/dpdk" "$out/dpdk.cpio"

	# Guest initramfs: busybox, the Xen guest modules, xenstore-read/write
	# (the guest's side of the scenario handshakes) and our /init.
	log "image: guest initramfs"
	local g=$w/guest
	mkdir -p "$g"/{bin,usr/bin,proc,sys,dev,tmp,etc,run,var/run}
	cp /bin/busybox "$g/bin/"
	copy_mods "$kv" "$w/x" "$g" xen-netfront xen-evtchn xen-gntalloc xen-gntdev xen-privcmd xenfs
	copy_closure "$g" /usr/bin/xenstore-read
	for f in xenstore-write xenstore-rm xenstore-exists xenstore-list; do
		ln -f "$g/usr/bin/xenstore-read" "$g/usr/bin/$f"
	done
	install -m 0755 "$here/image/domU-init" "$g/init"
	mkcpio "$g" "$out/domU.cpio"

	# dom0 root fs: Debian bookworm with the toolstack (mmdebstrap), the
	# modules dom0 needs, the guest kernel and initramfs, DPDK, and OVS-DPDK
	# (openvswitch-switch-dpdk: OVS 3.1 on the system's DPDK 22.11, for
	# scenario 6; mmdebstrap starts none of its daemons). Of Debian's DPDK
	# drivers, which its dpdk package only recommends (mmdebstrap installs
	# no recommends), the two ovs-vswitchd needs: the ring mempool (given
	# to it with -d) and the vdev bus (net_xenback links it). They are
	# moved out of the EAL's plugin directory (pmds-23.0; the packages put
	# the files there and link them from the library directory), which is
	# removed: every librte_eal of Debian's build loads that directory at
	# start-up, also the copy in /opt/dpdk that testpmd runs on, which then
	# held two vdev buses, and net_xenback's probe failed on the other one.
	log "image: dom0 root fs (mmdebstrap)"
	local r=$w/dom0root src lib f
	src=$(ls /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo /etc/apt/sources.list)
	mmdebstrap --quiet --variant=essential \
		--include=xen-utils-4.17,xen-utils-common,xenstore-utils,busybox,iproute2,bridge-utils,kmod,procps,util-linux,iputils-ping,mount,ethtool \
		--include=openvswitch-switch-dpdk,librte-mempool-ring23,librte-bus-vdev23 \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
		bookworm "$r" "$src" >"$w/mmdebstrap.log" 2>&1 || { tail -n 20 "$w/mmdebstrap.log"; return 2; }
	lib=$r/usr/lib/x86_64-linux-gnu
	for f in librte_mempool_ring librte_bus_vdev; do
		cp -L "$lib/$f.so.23" "$w/$f.so.23" && rm -f "$lib/$f.so.23" "$lib/$f.so.23.0" &&
			mv "$w/$f.so.23" "$lib/" || { log "image: no $f.so.23 in the dom0 root fs"; return 1; }
	done
	rm -rf "$lib/dpdk/pmds-23.0"
	[ -x "$r/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk" ] ||
		{ log "image: no ovs-vswitchd-dpdk in the dom0 root fs"; return 1; }
	# tun: the OVS userspace bridge's internal port is a tap device
	copy_mods "$kv" "$w/x" "$r" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback \
		xen-netfront bridge veth tun virtio_pci 9pnet_virtio 9p
	install -m 0755 "$here/image/dom0-init" "$r/init"
	install -m 0755 "$here/image/vif-noop" "$r/etc/xen/scripts/vif-noop"
	install -m 0755 "$top/scripts/vif-dpdk" "$r/etc/xen/scripts/vif-dpdk"
	rm -f "$r"/boot/vmlinu*
	cp "$w/vmlinux.gz" "$out/domU.cpio" "$out/dpdk.cpio" "$r/boot/"
	cp -a "$w/dpdk/opt" "$r/"
	# perl, python, the udev hwdb and gconv are not used by xl or the hotplug
	# scripts: leaving them out halves the archive and its unpacking time.
	(cd "$r" && find . -xdev \( -path ./usr/share/perl -o -path ./usr/share/perl5 \
		-o -path ./usr/lib/x86_64-linux-gnu/perl -o -name 'libperl.so*' -o -path './usr/lib/python3*' \
		-o -path ./usr/lib/x86_64-linux-gnu/gconv -o -path './usr/lib/udev/hwdb*' \
		-o -path './var/cache/*' \) -prune -o -print | cpio -o -H newc --quiet) > "$out/dom0.cpio"
	echo "$key_inputs" > "$out/inputs"
}
# <<< image build

get_images() {
	mkdir -p "$cache"
	exec 8>"$cache/lock"
	flock -w 1800 8 || { log "FAIL: waited 30 min for the image cache lock"; exit 1; }
	if [ -f "$img/.complete" ]; then
		log "image set $img (cached)"
	else
		local t0=$SECONDS rc=0
		log "building the image set in $img (first run: about 2-4 minutes)"
		build_images "$cache/work-$key" "$img.tmp" || rc=$?
		rm -rf "$cache/work-$key"
		if [ $rc != 0 ]; then
			rm -rf "$img.tmp"
			[ $rc = 2 ] && cannot_run "could not fetch Debian packages for the image"
			log "FAIL: image build failed"
			exit 1
		fi
		rm -rf "$img" && mv "$img.tmp" "$img" && touch "$img/.complete"
		log "image set built in $((SECONDS - t0)) s"
	fi
	# keep this set and the newest other one
	local old
	for old in $(ls -1dt "$cache"/img-* 2>/dev/null | grep -vxF "$img" | tail -n +2 || true); do
		rm -rf "$old"
	done
	touch "$img"
	exec 8>&-
}
get_images
[ "$action" = image ] && { ls -la "$img"; exit 0; }

# --- the project's outputs and the scenarios, shared with dom0 ---------------
share=$(mktemp -d "${TMPDIR:-/tmp}/xen-interop.XXXXXX")
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$share"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# output REL: the path of a build output, or nothing when it is not built.
# A program may sit in a subdirectory of its own name (app/xen-traffic/
# xen-traffic, Meson's layout for an app with a meson.build of its own).
output() {
	if [ -f "$build/$1" ]; then echo "$build/$1"
	elif [ -f "$build/$1/${1##*/}" ]; then echo "$build/$1/${1##*/}"
	fi
}

# stage_project DIR: /opt/xen-dpdk/{lib,bin} with whichever of the PMD
# plugins and xen-traffic exist, plus the shared libraries they need that
# Debian's DPDK runtime in the image does not already hold. The Xen
# libraries are always Debian's (libxen-dev's), never xenemu's drop-ins a
# build RUNPATH might point at: under real Xen the real ones must run.
stage_project() {
	local p=$1/opt/xen-dpdk f l base src
	mkdir -p "$p/lib" "$p/bin"
	for f in drivers/librte_net_xenback.so drivers/librte_net_xennet.so app/xen-traffic; do
		src=$(output "$f")
		[ -n "$src" ] || continue
		case $f in app/*) cp -L "$src" "$p/bin/" ;; *) cp -L "$src" "$p/lib/" ;; esac
		ldd "$src" | awk '/=> \// {print $1, $3}' | while read -r base l; do
			case $base in
			libxen*) l=/usr/lib/x86_64-linux-gnu/$base; [ -e "$l" ] || l=/lib/x86_64-linux-gnu/$base ;;
			esac
			grep -qxF "opt/dpdk/lib/$base" "$share/dpdk.list" || cp -L "$l" "$p/lib/$base"
		done
	done
}
cpio -it --quiet < "$img/dpdk.cpio" | sed 's|^\./||' > "$share/dpdk.list"
mkdir -p "$share/project" "$share/results"
stage_project "$share/project"
cp -r "$here/dom0" "$here/guest" "$share/"
mkcpio "$share/project" "$share/project.cpio"

# xen-traffic's arguments in scenario 3 (both ends): both send and verify
# (bidir), single-slot and multi-slot frames, at a rate TCG keeps up with;
# each end waits for its link and gives up on its own after --timeout.
traffic_args="--mode bidir --size 64,1500,9000 --count 4000 --expect 4000 --rate 1000"
traffic_args+=" --wait-link 300 --timeout 480 --report 10"

# Scenarios whose build outputs are missing are skipped here, not booted.
declare -A verdict reason
to_run=
while IFS='|' read -r id name needs budget least what; do
	case " $sel " in *" $id "*) ;; *) continue ;; esac
	miss=
	for n in $needs; do
		[ "$n" = - ] || [ -n "$(output "$n")" ] || miss="$miss $n"
	done
	if [ -n "$miss" ]; then
		verdict[$id]=SKIP
		reason[$id]="not built yet:$miss"
	else
		to_run="$to_run $id:$name:$budget:$least"
	fi
done < <(scenario_table)

tmo=${XEN_INTEROP_TIMEOUT:-1200}
{
	echo "XI_SCENARIOS='${to_run# }'"
	# dom0's uptime by which the last scenario must end (QEMU's limit less
	# a margin for the power-off)
	echo "XI_DEADLINE=$((tmo - 45))"
	printf 'XI_TRAFFIC_ARGS=%q\n' "${XEN_INTEROP_TRAFFIC_ARGS:-$traffic_args}"
	printf 'XI_RATIO_ROUNDS=%q\nXI_RATIO_SECONDS=%q\nXI_RATIO_SIZES=%q\n' "${XEN_INTEROP_RATIO_ROUNDS:-3}" \
		"${XEN_INTEROP_RATIO_SECONDS:-10}" "${XEN_INTEROP_RATIO_SIZES:-64,1500}"
} > "$share/config.sh"

# --- boot --------------------------------------------------------------------
# CPU: svm+npt give Xen HAP (PVH guests need it: Debian's Xen has no shadow
# paging); sse4.2/popcnt because Debian's DPDK is built for corei7. 'max'
# crashes the PV dom0 on QEMU 7.2 TCG (SMAP).
cpu=${QEMU_CPU:-qemu64,+svm,+npt,+ssse3,+sse4.1,+sse4.2,+popcnt}
dom0_mem=${DOM0_MEM:-1024M}
mode=run
[ "$action" = shell ] && mode=shell
# gnttab_max_frames: Xen's ceiling for any domain's grant table (default 64
# frames = 32768 v1 entries); DPDK frontend guests ask for 256 (lib.sh).
xen_args="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=$dom0_mem,max:$dom0_mem bootscrub=0 console_timestamps=boot gnttab_max_frames=256"
dom0_args="console=hvc0 earlyprintk=xen xen_scrub_pages=0 xi=$mode"
# QEMU_ICOUNT (e.g. shift=3,sleep=off): the machine's clocks count executed
# instructions (QEMU's -icount), not the host's time, so what a domain times
# does not follow the host's load; icount needs single-threaded TCG (both
# vCPUs on one host thread).
accel=tcg,thread=multi icount=()
if [ -n "${QEMU_ICOUNT:-}" ]; then
	accel=tcg,thread=single icount=(-icount "$QEMU_ICOUNT")
fi
qemu=(qemu-system-x86_64 -machine q35 -accel "$accel" "${icount[@]}" -cpu "$cpu" -smp "${QEMU_SMP:-2}"
	-m "${QEMU_MEM:-2048}" -display none -no-reboot -nic none
	-kernel "$img/xen" -append "$xen_args"
	-initrd "$img/vmlinuz $dom0_args,$img/dom0.cpio"
	-virtfs "local,path=$share,mount_tag=host,security_model=none,id=host")

if [ "$action" = shell ]; then
	log "dom0 shell: the project's files are in /mnt/host (unpack project.cpio at / for /opt/xen-dpdk); Ctrl-a x quits"
	"${qemu[@]}" -serial mon:stdio
	exit 0
fi

# only what an earlier run left (the folder may be one the user named)
mkdir -p "$results"
for ent in $(scenario_table | cut -d'|' -f1,2 | tr '|' '-'); do rm -rf "${results:?}/$ent"; done
rm -f "$results/serial.log" "$results/verdicts"
serial=$results/serial.log
if [ -z "${to_run// /}" ]; then
	log "no scenario to run: nothing booted"
else
	log "booting Xen 4.17 + dom0 under QEMU TCG for scenarios:$(for e in $to_run; do printf ' %s' "${e%%:*}"; done)" \
		"(serial log: $serial)"
	t0=$SECONDS
	# The scenarios' progress lines go to the terminal; everything to the log.
	timeout --kill-after=10 "$tmo" "${qemu[@]}" -monitor none -serial stdio </dev/null >"$serial" 2>&1 &
	qpid=$!
	tail -n +1 -F --pid=$qpid "$serial" 2>/dev/null |
		grep --line-buffered -aE '^XI(-RESULT)? |^\(XEN\) .*(crash|FATAL|Panic)' | sed -u 's/\r$//' &
	tpid=$!
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
	wait "$tpid" 2>/dev/null || true
	log "QEMU exited with status $qrc after $((SECONDS - t0)) s"
	[ "$qrc" = 124 ] && log "QEMU hit the overall limit of $tmo s (XEN_INTEROP_TIMEOUT)"
fi

# --- verdicts ----------------------------------------------------------------
cp -r "$share/results/." "$results/" 2>/dev/null || true
tr -d '\r' < "$serial" > "$serial.tmp" 2>/dev/null && mv "$serial.tmp" "$serial" || true
# show_tail FILE: the end of one log, for a failure.
show_tail() {
	[ -s "$1" ] || return 0
	echo "----- tail of ${1#"$results"/} -----"
	tail -n "${2:-25}" "$1"
}
for ent in $to_run; do
	id=${ent%%:*}; rest=${ent#*:}; name=${rest%%:*}
	d=$results/$id-$name
	mkdir -p "$d"
	# this scenario's part of the serial log
	awk -v b="XI-BEGIN $id " -v e="XI-END $id " 'index($0, b) == 1 {on = 1} on {print} index($0, e) == 1 {on = 0}' \
		"$serial" > "$d/serial.log" 2>/dev/null || true
	if [ -s "$d/verdict" ]; then
		read -r v r < "$d/verdict"
		verdict[$id]=$v
		reason[$id]=$r
	else
		verdict[$id]=FAIL
		reason[$id]="no verdict from dom0 (Xen or dom0 crashed, or the overall timeout hit)"
	fi
	if [ "${verdict[$id]}" = FAIL ]; then
		echo "===== $id-$name failed: logs in $d ====="
		for f in "$d"/dom0.log "$d"/*.log; do
			case $f in */serial.log|*/dom0.log) ;; *) show_tail "$f" 20 ;; esac
		done
		show_tail "$d/dom0.log" 30
		[ -s "$d/verdict" ] || show_tail "$serial" 40
	fi
done

echo "===== interop verdicts (results in $results) ====="
npass=0 nfail=0 nskip=0
while IFS='|' read -r id name needs budget least what; do
	[ -n "${verdict[$id]:-}" ] || continue
	printf '%s %s-%s: %s\n' "${verdict[$id]}" "$id" "$name" "${reason[$id]}" | tee -a "$results/verdicts"
	case ${verdict[$id]} in PASS) npass=$((npass + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)) ;; esac
done < <(scenario_table)
echo "interop: summary: $npass PASS, $nfail FAIL, $nskip SKIP"
[ "$nfail" -gt 0 ] && exit 1
[ "$npass" -gt 0 ] && exit 0
exit 77
}
