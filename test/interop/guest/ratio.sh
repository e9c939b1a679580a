#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The guest's part of interop scenario 'ratio' (dom0/scenario-ratio.sh), run
# as its XI_DPDK_CMD: one xen-traffic sender on net_xennet per order from
# dom0, whichever backend serves the vif at the time. Order n is the key
# data/xi-go-<n> dom0 writes: "SIZE SECONDS STREAM" (send SIZE-byte frames
# as fast as the backend takes them for SECONDS, on stream STREAM) or "end".
# Result n goes to data/xi-res-<n>: xen-traffic's exit status and the
# summary lines the scenario reads; the whole log goes to this program's
# output, which the guest's console shows at the end.
. /xi/env
now() { cut -d. -f1 /proc/uptime; }
end=$(( $(now) + XI_LIFETIME ))
n=0
while :; do
	while ! go=$(xenstore-read "data/xi-go-$n" 2>/dev/null); do
		[ "$(now)" -lt "$end" ] || { echo "ratio: no order $n within the lifetime"; exit 1; }
		sleep 0.5
	done
	[ "$go" = end ] && exit 0
	set -- $go
	echo "ratio: order $n: $XI_RATIO_CMD -- gen, $1 B, $2 s, stream $3"
	# --rate 0: as fast as the PMD accepts frames, that is as fast as the
	# backend takes them off the ring (a full ring is retried, nothing is
	# dropped). A link that never comes up fails the run (--wait-link).
	# --drain 5: the port stays connected 5 s after the last frame, for
	# dom0 to read Linux netback's counters (dom0/scenario-ratio.sh).
	$XI_RATIO_CMD -- --mode gen --size "$1" --duration "$2" --stream "$3" --rate 0 --drain 5 \
		--wait-link 120 --timeout $(( $2 + 180 )) --report 0 > "/tmp/ratio-$n.log" 2>&1
	rc=$?
	cat "/tmp/ratio-$n.log"
	xenstore-write "data/xi-res-$n" "rc=$rc $(grep -E '^(tx_packets|tx_mpps|tx_full|elapsed_s|leaked_mbufs|result)=' \
		"/tmp/ratio-$n.log" | tr '\n' ' ')"
	n=$((n + 1))
done
