#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 2: net_xennet in a PV guest (dpdk-testpmd, icmpecho; the guest
# kernel's xen-netfront is not loaded) <-> Linux xen-netback in dom0 on
# bridge xenbr0. dom0 pings the guest at 56, 1400, 4000 and 8972 B over an
# MTU 9000 path (the large ones are multi-slot both ways).
. "$(dirname "$0")/lib.sh"
g=s2-g
xi_echo_guest $g 00:16:3e:00:02:02 net_xennet0 "$XI_TP_BIG"
d=${XI_DOMID[$g]}
xi_vif_wait "$d" 0 300 || xi_fail "vif $d/0 did not connect"
xi_xs_wait /local/domain/$d/data/xi-ready 1 120 || xi_fail "guest testpmd not ready"
for i in $(seq 1 60); do [ -e /sys/class/net/vif$d.0/brport ] && break; sleep 0.5; done
ip link set "vif$d.0" mtu 9000 || xi_fail "cannot set vif$d.0 mtu 9000 (frontend without feature-sg?)"
ip link set xenbr0 mtu 9000 || xi_fail "cannot set xenbr0 mtu 9000"
xi_ping_all 198.18.0.2 56 1400 4000 8972 || ping_failed=1
xi_guest_stop $g 120
[ -z "${ping_failed:-}" ] || xi_fail "dom0 -> net_xennet ping failed"
[ "$XI_RC" = 0 ] || xi_fail "guest testpmd exited with status $XI_RC"
xi_pass "vif 4/4; ping 56/1400/4000/8972 B answered 3/3 by testpmd on net_xennet"
