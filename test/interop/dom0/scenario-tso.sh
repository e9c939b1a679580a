#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario tso:
# net_xennet in a PV guest (dpdk-testpmd; the guest kernel's
# xen-netfront is not loaded) <-> Linux xen-netback in dom0 on bridge
# xenbr0, over an MTU 9000 path. The guest is a middlebox: testpmd's csum
# engine sends every frame it receives back out, to a Linux receiver in a
# network namespace of dom0 (xirx, 198.18.0.3, behind a veth on the bridge),
# with the IPv4 and TCP checksums left to the port and TCP cut by TSO at
# 1000 bytes (RTE_MBUF_F_TX_TCP_SEG). dom0 reaches 198.18.0.3 through the
# guest (a static neighbour entry names the guest's MAC); the answers come
# back directly.
#  - dom0 pings 198.18.0.3 at 56, 1400, 4000 and 8972 B: the large ones are
#    multi-slot frames into and out of net_xennet;
#  - dom0 sends 1 MiB of random data over TCP to the receiver (busybox nc):
#    net_xennet hands Linux netback TSO frames, which dom0's kernel cuts
#    into segments and checksums in software on its way to the receiver
#    (the veth's offloads are off): Linux's GSO takes the TCP checksum
#    field as a pseudo-header sum that includes the L4 length, DPDK's
#    leaves it out, and net_xennet must convert (issue 16, D2); the SYN and
#    ACKs, too short for TSO, go as checksum offloads of frames that came
#    in with complete checksums, which net_xennet's tx_pkt_prepare (called
#    by testpmd) turns into the pseudo-header sum netback completes. Checked:
#    the receiver's SHA-256 matches, its kernel counted no TCP checksum
#    error, and it got several times more packets than the guest sent.
. "$(dirname "$0")/lib.sh"
g=stso-g
gmac=00:16:3e:00:02:02 rxmac=02:00:00:00:02:03 rx=198.18.0.3
cmds=$XI_TMP/stso.cmds
{
	echo "port stop 0"
	echo "csum set tcp hw 0"
	echo "tso set 1000 0"
	echo "port start 0"
} > "$cmds"

# the receiver: a namespace behind a veth whose bridge end does no
# offload, so that dom0's kernel segments and checksums what it sends it
ip netns add xirx || xi_fail "cannot create a network namespace"
ip link add xiv0 type veth peer name xiv1 || xi_fail "cannot create a veth pair"
ip link set xiv1 netns xirx
ns() { ip netns exec xirx "$@"; }
ns ip link set lo up
ns ip link set xiv1 address $rxmac mtu 9000 up
ns ip addr add $rx/24 dev xiv1
ip link set xiv0 mtu 9000 master xenbr0 up || xi_fail "cannot put the veth on xenbr0"
ethtool -K xiv0 tx off sg off tso off gso off > /dev/null 2>&1 || xi_fail "ethtool -K xiv0 failed"
xi_log "xiv0: $(ethtool -k xiv0 | grep -E '^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload):' | tr '\n' ' ')"

XI_GUEST_FILES=$cmds xi_echo_guest $g $gmac net_xennet0 \
	"$XI_TP_BIG --forward-mode=csum --eth-peer=0,$rxmac --cmdline-file=/xi/stso.cmds"
d=${XI_DOMID[$g]}
xi_vif_wait "$d" 0 600 || xi_fail "vif $d/0 did not connect"
xi_xs_wait /local/domain/$d/data/xi-ready 1 180 $g || xi_fail "guest testpmd not ready"
xi_vif_wait "$d" 0 60 || xi_fail "vif $d/0 did not connect again after the port restart"
for i in $(seq 1 60); do [ -e /sys/class/net/vif$d.0/brport ] && break; sleep 0.5; done
ip link set "vif$d.0" mtu 9000 || xi_fail "cannot set vif$d.0 mtu 9000 (frontend without feature-sg?)"
ip link set xenbr0 mtu 9000 || xi_fail "cannot set xenbr0 mtu 9000"
ip neigh replace $rx lladdr $gmac dev xenbr0 nud permanent || xi_fail "cannot set the neighbour entry"
xi_ping_all $rx 56 1400 4000 8972 || ping_failed=1

# TCP through the guest's TSO
snmp() { ns awk '/^Tcp:/ {if (!h) {for (i = 1; i <= NF; i++) c[$i] = i; h = 1} else print $c["InCsumErrors"], $c["InSegs"]}' /proc/net/snmp; }
read -r cerr0 segs0 <<< "$(snmp)"
vrx0=$(cat /sys/class/net/vif$d.0/statistics/rx_packets)
nrx0=$(ns cat /sys/class/net/xiv1/statistics/rx_packets)
head -c 1048576 /dev/urandom > "$XI_TMP/tx.data"
printf '#!/bin/sh\ncat > %s\n' "$XI_TMP/rx.data" > "$XI_TMP/rx.sh" && chmod +x "$XI_TMP/rx.sh"
rm -f "$XI_TMP/rx.data"
ip netns exec xirx timeout 150 busybox nc -l -p 5000 -e "$XI_TMP/rx.sh" < /dev/null &
rxpid=$!
sleep 1
t0=$(xi_now)
timeout 120 busybox nc -w 20 $rx 5000 < "$XI_TMP/tx.data" || {
	xi_log "nc (sender) exited with status $?"
	sleep 5
	kill $rxpid 2>/dev/null
}
wait $rxpid || xi_log "nc (receiver) exited with status $?"
t1=$(xi_now)
read -r cerr1 segs1 <<< "$(snmp)"
vrx1=$(cat /sys/class/net/vif$d.0/statistics/rx_packets)
nrx1=$(ns cat /sys/class/net/xiv1/statistics/rx_packets)
sha_tx=$(sha256sum < "$XI_TMP/tx.data" | cut -c1-16)
sha_rx=$(sha256sum < "$XI_TMP/rx.data" 2>/dev/null | cut -c1-16)
len_rx=$(wc -c < "$XI_TMP/rx.data" 2>/dev/null || echo 0)
vrx=$((vrx1 - vrx0)) nrx=$((nrx1 - nrx0)) cerr=$((cerr1 - cerr0))
xi_log "xiv0 (toward the receiver): $(ip -s link show xiv0 | tr -s ' \n' ' ')"
xi_log "TCP: $len_rx of 1048576 B in $((t1 - t0)) s, sha256 $sha_rx (sent $sha_tx); the guest sent dom0 $vrx packets," \
	"the receiver got $nrx; its TCP InCsumErrors +$cerr, InSegs +$((segs1 - segs0))"
ip neigh del $rx dev xenbr0 2>/dev/null
ip netns del xirx
ip link del xiv0 2>/dev/null

xi_guest_stop $g 120
[ -z "${ping_failed:-}" ] || xi_fail "dom0 -> net_xennet -> $rx ping failed"
[ "$XI_RC" = 0 ] || xi_fail "guest testpmd exited with status $XI_RC"
[ "$cerr" = 0 ] || xi_fail "TSO: the receiver's kernel counted $cerr TCP checksum errors in the segments of net_xennet's TSO frames"
[ "$sha_rx" = "$sha_tx" ] || xi_fail "TSO: the receiver got $len_rx B, sha256 $sha_rx, not the 1048576 B sent ($sha_tx)"
[ "$nrx" -ge $((3 * vrx)) ] || xi_fail "TSO: the receiver got $nrx packets for the $vrx the guest sent: no segmentation?"
xi_pass "vif 4/4; ping 56/1400/4000/8972 B forwarded 3/3 by testpmd on net_xennet;" \
	"TSO: 1 MiB over TCP intact (sha256), $vrx TSO frames cut by dom0 into $nrx segments, 0 checksum errors"
