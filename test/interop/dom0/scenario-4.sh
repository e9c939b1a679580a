#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 4: two Linux guests (xen-netfront) connected through two
# net_xenback ports that dpdk-testpmd forwards to each other (io mode). One
# guest sends a 4 MiB random file over TCP (busybox nc) to the other; both
# print its SHA-256, which must match. Twice: with the backend's default
# features (scatter-gather, checksum offload, GSO: Linux then sends 64 KiB
# TSO frames with blank checksums) and with sg=0,csum=0,gso=0.
. "$(dirname "$0")/lib.sh"
xi_netback off
msg=
for feat in on off; do
	a=s4-$feat-tx b=s4-$feat-rx
	# net_xenback offers GSO only when the application takes LRO
	# (--enable-lro): the guests' TSO frames then arrive whole.
	if [ $feat = on ]; then devargs= maxpkt="$XI_TP_BIG --enable-lro"; else devargs=,sg=0,csum=0,gso=0 maxpkt=; fi
	xi_guest_create $b pv 128 1 0 "" 1 XI_ROLE=nc-recv XI_IP=198.18.0.12 XI_LIFETIME=300
	xi_guest_create $a pv 128 1 0 "" 1 XI_ROLE=nc-send XI_IP=198.18.0.11 XI_NC_PEER=198.18.0.12 \
		XI_NC_MB=4 XI_LIFETIME=300
	da=${XI_DOMID[$a]} db=${XI_DOMID[$b]}
	xi_dpdk_start testpmd-$feat 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV -d $XI_XENBACK \
		--vdev net_xenback0,domid=$da$devargs --vdev net_xenback1,domid=$db$devargs \
		-- $XI_TP_OPTS --forward-mode=io -a $maxpkt
	xi_vif_attach $a "mac=00:16:3e:00:04:11,script=vif-noop"
	xi_vif_attach $b "mac=00:16:3e:00:04:12,script=vif-noop"
	xi_guest_unpause $b
	xi_guest_unpause $a
	xi_vif_wait "$da" 0 180 || xi_fail "features $feat: vif $da/0 did not connect"
	xi_vif_wait "$db" 0 180 || xi_fail "features $feat: vif $db/0 did not connect"
	be=/local/domain/0/backend/vif/$da/0
	sg=$(xenstore-read $be/feature-sg 2>/dev/null || echo 0)
	gso=$(xenstore-read $be/feature-gso-tcpv4 2>/dev/null || echo 0)
	nocsum=$(xenstore-read $be/feature-no-csum-offload 2>/dev/null || echo 0)
	xi_log "features $feat: backend feature-sg=$sg feature-gso-tcpv4=$gso feature-no-csum-offload=$nocsum"
	if [ $feat = off ]; then
		[ "$sg" = 0 ] && [ "$gso" = 0 ] || xi_fail "sg=0,gso=0 but the backend advertises sg=$sg gso=$gso"
	else
		[ "$sg" = 1 ] && [ "$gso" = 1 ] ||
			xi_fail "default features and LRO on, but the backend advertises sg=$sg gso=$gso"
	fi
	xi_guest_exit $b 360; rrc=$XI_RC
	xi_guest_exit $a 60; src=$XI_RC
	tx=$(xi_console $a | sed -n 's/^XI-SHA //p' | tail -n 1)
	rx=$(xi_console $b | sed -n 's/^XI-SHA //p' | tail -n 1)
	xi_log "features $feat: sent '$tx', received '$rx'"
	[ "$src" = 0 ] || xi_fail "features $feat: sender status $src"
	[ "$rrc" = 0 ] || xi_fail "features $feat: receiver status $rrc"
	[ -n "$tx" ] && [ "$tx" = "$rx" ] || xi_fail "features $feat: checksum mismatch: sent '$tx', received '$rx'"
	xl destroy $a; xl destroy $b
	xi_dpdk_stop testpmd-$feat || xi_fail "features $feat: testpmd exited with an error"
	msg="$msg features $feat: 4 MiB, sha256 match;"
done
xi_pass "${msg# }"
