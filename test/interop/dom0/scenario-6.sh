#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 6: a Xen host as doc/xenback.rst describes it ("A Xen host: xl,
# the vif script, OVS-DPDK"), under real Xen. dom0 runs OVS-DPDK (Debian's
# ovs-vswitchd-dpdk, OVS 3.1) with a wildcard net_xenback (--vdev
# net_xenback0: no domid, no port of its own) loaded with -d from the build,
# and a netdev bridge br0 whose internal port holds dom0's address. A Linux
# guest is created, not paused, with
#     vif = [ 'script=vif-dpdk,bridge=br0,mac=...' ]
# libxl makes the vif; the wildcard creates net_xenback_s6-g_0 for it, which
# goes InitWait; libxl then runs the image's /etc/xen/scripts/vif-dpdk,
# which adds that port to br0 (interface vif<domid>.0, type dpdk) and writes
# hotplug-status; the guest connects. Checked at each boot: hotplug-status
# connected, the interface on br0 on that port, without error and with its
# link up, pings both ways through OVS (the guest pings dom0, dom0 pings the
# guest), 56 and 1400 B. The guest is rebooted (xl reboot: a new domid;
# vif-dpdk removes vif<old>.0 and adds vif<new>.0 on the same port name),
# then destroyed and created again; one ovs-vswitchd process (the same pid)
# serves all three boots, configured by nobody but vif-dpdk after br0.
# (The domain=<name> binding under testpmd, which this scenario ran before,
# is tested on xenemu: xenback-discover, ovs_vif_dpdk.)
. "$(dirname "$0")/lib.sh"
g=s6-g
net=198.18.6
ovs=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
run=/run/openvswitch
port=net_xenback_${g}_0
vsctl() { ovs-vsctl --timeout=60 "$@"; }

[ -x "$ovs" ] || xi_fail "no $ovs in the image (test/interop/run.sh installs openvswitch-switch-dpdk)"
[ -x /etc/xen/scripts/vif-dpdk ] || xi_fail "no /etc/xen/scripts/vif-dpdk in the image"
xi_netback off
modprobe tun || xi_fail "cannot load tun (br0's internal port is a tap device)"

# ovsdb-server and ovs-vswitchd on the default socket (/run/openvswitch/
# db.sock), which vif-dpdk's ovs-vsctl finds without being told; their pid
# files in XI_TMP/pids so that runner.sh kills them if the scenario fails.
mkdir -p "$run"
ovsdb-tool create "$XI_TMP/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
	xi_fail "ovsdb-tool create failed"
ovsdb-server "$XI_TMP/conf.db" --remote="punix:$run/db.sock" --pidfile="$run/ovsdb-server.pid" \
	--unixctl="$run/ovsdb-server.ctl" --log-file="$XI_OUT/ovsdb-server.log" --no-chdir --detach ||
	xi_fail "ovsdb-server did not start"
cp "$run/ovsdb-server.pid" "$XI_TMP/pids/ovsdb-server"
vsctl --no-wait init || xi_fail "ovs-vsctl init failed"
# EAL: no hugepages in a PV dom0 (--no-huge; OVS adds --in-memory unless
# --legacy-mem, and the EAL refuses it with --no-huge); -m 256 within
# dom0's 1 GiB. per-port-memory: a pool sized to the port's rings (~25000
# mbufs) instead of OVS's shared 262144-mbuf first try. pmd-maxsleep: the
# idle PMD thread sleeps (up to 1 ms) rather than spin a TCG vCPU the guest
# needs. The ring mempool driver by -d: the image keeps the EAL's plugin
# directory empty (run.sh says why).
eal="--no-huge -m 256 --legacy-mem --single-file-segments --no-pci --file-prefix xi-s6"
eal+=" -d /usr/lib/x86_64-linux-gnu/librte_mempool_ring.so.23"
eal+=" -d $XI_XENBACK --vdev net_xenback0 --log-level=pmd.net.xen*:info"
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true other_config:per-port-memory=true \
	other_config:pmd-maxsleep=1000 "other_config:dpdk-extra=$eal" ||
	xi_fail "ovs-vsctl set other_config failed"
xi_log "ovs-vswitchd-dpdk, dpdk-extra: $eal"
# --detach returns once the daemon is up (the EAL initialised) or gone.
LD_LIBRARY_PATH=/opt/xen-dpdk/lib timeout 300 "$ovs" "unix:$run/db.sock" \
	--pidfile="$run/ovs-vswitchd.pid" --unixctl="$run/ovs-vswitchd.ctl" \
	--log-file="$XI_OUT/ovs-vswitchd.log" --no-chdir --detach > "$XI_OUT/ovs-vswitchd.out" 2>&1 || {
	tail -n 30 "$XI_OUT/ovs-vswitchd.out" "$XI_OUT/ovs-vswitchd.log"
	xi_fail "ovs-vswitchd-dpdk did not start"; }
pid=$(cat "$run/ovs-vswitchd.pid")
echo "$pid" > "$XI_TMP/pids/ovs-vswitchd"
[ "$(vsctl get Open_vSwitch . dpdk_initialized)" = true ] ||
	xi_fail "DPDK not initialised in ovs-vswitchd (see ovs-vswitchd.log)"
xi_log "ovs-vswitchd up (pid $pid): $(vsctl get Open_vSwitch . dpdk_version)"
vsctl add-br br0 -- set Bridge br0 datapath_type=netdev || xi_fail "ovs-vsctl add-br br0 failed"
ip addr add $net.1/24 dev br0 && ip link set br0 up || xi_fail "cannot put $net.1/24 on br0"

# ovs_same: ovs-vswitchd is still the process it was.
ovs_same() {
	[ "$(cat "$run/ovs-vswitchd.pid" 2>/dev/null)" = "$pid" ] && kill -0 "$pid" 2>/dev/null ||
		{ tail -n 30 "$XI_OUT/ovs-vswitchd.log"; xi_fail "$1: ovs-vswitchd (pid $pid) is gone or was replaced"; }
}

# ovs_check BOOT DOMID [OLD_DOMID]: what vif-dpdk and OVS made of the vif.
ovs_check() {
	local boot=$1 d=$2 old=${3:-} i=vif$2.0 be=/local/domain/0/backend/vif/$2/0 v n
	v=$(xenstore-read "$be/hotplug-status" 2>&1)
	[ "$v" = connected ] || xi_fail "boot $boot: hotplug-status of vif $d/0 is '$v'" \
		"$(xenstore-read "$be/hotplug-error" 2>/dev/null)"
	vsctl list-ports br0 | grep -qx "$i" || xi_fail "boot $boot: $i is not on br0 ($(vsctl list-ports br0 | tr '\n' ' '))"
	[ -z "$old" ] || ! vsctl list-ports br0 | grep -qx "vif$old.0" ||
		xi_fail "boot $boot: vif$old.0 (the previous domain's) is still on br0"
	n=$(vsctl list-ports br0 | wc -l)
	[ "$n" = 1 ] || xi_fail "boot $boot: $n ports on br0 ($(vsctl list-ports br0 | tr '\n' ' '))"
	v=$(vsctl get Interface "$i" options:dpdk-devargs | tr -d '"')
	[ "$v" = "$port" ] || xi_fail "boot $boot: $i has dpdk-devargs '$v', expected $port"
	v=$(vsctl get Interface "$i" error)
	[ "$v" = "[]" ] || xi_fail "boot $boot: interface $i has an error: $v"
	for n in $(seq 1 60); do
		[ "$(vsctl get Interface "$i" link_state 2>/dev/null)" = up ] && break
		sleep 1
	done
	[ "$(vsctl get Interface "$i" link_state)" = up ] || xi_fail "boot $boot: $i link not up within 60 s"
	vsctl --columns=name,type,options,link_state,link_speed,mac_in_use,error list Interface "$i" | sed 's/^/  /'
	ovs_same "boot $boot"
}

domids=
# boot 1: xl create; boot 2: xl reboot (xl's own restart: the guest's
# kernel reboots, xl destroys the domain and builds it again from the same
# configuration); boot 3: xl destroy, then xl create again
for boot in 1 2 3; do
	old=
	case $boot in
	1|3)
		XI_ON_REBOOT=restart xi_guest_create $g pv 128 1 0 "script=vif-dpdk,bridge=br0,mac=00:16:3e:00:06:02" 0 \
			XI_ROLE=ping XI_IP=$net.2 XI_PING_TARGETS=$net.1 "XI_PING_SIZES=56 1400"
		;;
	2)
		old=${XI_DOMID[$g]}
		: > "/var/log/xen/console/guest-$g.log"
		xi_log "xl reboot $g (domain $old)"
		xl reboot $g || xi_fail "xl reboot $g failed"
		for i in $(seq 1 120); do
			d=$(xl domid $g 2>/dev/null) && [ "$d" != "$old" ] && break
			d=
			sleep 0.5
		done
		[ -n "$d" ] || xi_fail "boot 2: $g did not come back under a new domid within 60 s of xl reboot"
		XI_DOMID[$g]=$d
		xi_log "$g rebooted as domain $d"
		;;
	esac
	d=${XI_DOMID[$g]}
	xi_vif_wait "$d" 0 180 || xi_fail "boot $boot: vif $d/0 did not connect"
	ovs_check $boot "$d" "$old"
	xi_guest_exit $g 300
	pings=$(xi_console $g | grep '^XI-PING' | tr '\n' ';')
	[ "$XI_RC" = 0 ] || xi_fail "boot $boot (domain $d): the guest's pings failed (status $XI_RC): $pings"
	xi_ping_all $net.2 56 1400 || xi_fail "boot $boot (domain $d): dom0's pings to the guest failed"
	xi_log "boot $boot: domain $d on vif$d.0 answered and was answered through OVS: $pings"
	[ $boot = 1 ] || xl destroy $g || xi_fail "xl destroy $g failed"
	domids="$domids $d"
done
set -- $domids
[ "$1" != "$2" ] && [ "$2" != "$3" ] && [ "$1" != "$3" ] || xi_fail "a boot reused a domid: $domids"
# the last destroy ran vif-dpdk remove
for i in $(seq 1 30); do [ -z "$(vsctl list-ports br0)" ] && break; sleep 1; done
[ -z "$(vsctl list-ports br0)" ] || xi_fail "ports left on br0 after xl destroy: $(vsctl list-ports br0 | tr '\n' ' ')"
ovs_same "after the guest went"
log=$XI_OUT/ovs-vswitchd.log
for d in $domids; do
	grep -q "is domain $d: serving its vif 0" "$log" || xi_fail "$port did not serve domain $d (ovs-vswitchd.log)"
done
ovs-appctl -t "$run/ovs-vswitchd.ctl" exit >/dev/null 2>&1 || xi_log "ovs-appctl exit failed"
for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && xi_log "ovs-vswitchd still running after ovs-appctl exit (runner.sh kills it)"
ovs-appctl -t "$run/ovsdb-server.ctl" exit >/dev/null 2>&1
xi_pass "one ovs-vswitchd-dpdk (pid $pid, wildcard net_xenback) served $g as domain $1 (xl create)," \
	"$2 (xl reboot) and $3 (re-create) on $port, each time added to br0 by vif-dpdk" \
	"(vif$1.0, vif$2.0, vif$3.0: hotplug-status connected, link up); pings both ways through OVS all three times"
