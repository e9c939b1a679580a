#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The guest's part of an interop scenario (busybox sh; run by the guest
# initramfs's /init, which prints "XI-GUEST-EXIT <status>" after it). What to
# do comes from /xi/env, written by dom0's xi_guest_create:
#   XI_ROLE   ping     bring eth0 up, ping XI_PING_TARGETS with XI_PING_SIZES
#             up       bring eth0 up and stay (dom0 drives the traffic)
#             dpdk     run XI_DPDK_CMD (Debian's DPDK + the project's plugins);
#                      XI_DPDK_MODE=serve: until dom0 writes data/xi-stop=1,
#                      XI_DPDK_MODE=run: until it ends by itself
#             nc-recv  receive one TCP file on port 5000, print its checksum
#             nc-send  send XI_NC_MB MiB of random data to XI_NC_PEER:5000
#   XI_IP, XI_MTU      eth0's address (/24) and MTU (Linux netfront roles)
#   XI_LIFETIME        upper bound in seconds for any wait here
# Results are console lines starting with "XI-" that dom0 reads from
# xenconsoled's log; handshakes with dom0 go through xenstore keys under this
# domain's own data/ directory (relative paths).
. /xi/env
export PATH=/bin:/usr/bin
: "${XI_LIFETIME:=300}"
t() { echo "GUEST T+$(cut -d' ' -f1 /proc/uptime) $*"; }
now() { cut -d. -f1 /proc/uptime; }

net_up() {
	local i
	for i in $(seq 1 600); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
	[ -e /sys/class/net/eth0 ] || { t "no eth0 (xen-netfront did not attach)"; return 1; }
	if [ -n "${XI_MTU:-}" ]; then
		ip link set eth0 mtu "$XI_MTU" || { t "cannot set eth0 mtu $XI_MTU"; return 1; }
	fi
	ip addr add "$XI_IP/24" dev eth0
	ip link set eth0 up
	for i in $(seq 1 600); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	t "eth0 $XI_IP mtu $(cat /sys/class/net/eth0/mtu) carrier $(cat /sys/class/net/eth0/carrier 2>/dev/null)" \
		"queues: $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
	echo "XI-NET-UP"
}

# ping_one DST SIZE: answered 3 of 3 once the path is up (up to 60 s of
# single probes first: ARP, the peer's start-up).
ping_one() {
	local i
	for i in $(seq 1 30); do ping -c 1 -W 2 -s "$2" "$1" >/dev/null 2>&1 && break; done
	ping -c 3 -W 5 -s "$2" "$1" > /tmp/ping.out 2>&1
	echo "XI-PING $1 $2 $(grep 'packets transmitted' /tmp/ping.out)"
	grep -q ' 3 packets received' /tmp/ping.out
}

role_ping() {
	local d s rc=0
	net_up || return 1
	for d in $XI_PING_TARGETS; do
		for s in $XI_PING_SIZES; do ping_one "$d" "$s" || rc=1; done
	done
	return $rc
}

role_dpdk() {
	local pid rc=0 end=$(( $(now) + XI_LIFETIME ))
	# a write to the FIFO of a program that already exited must fail, not
	# kill this script before it prints the program's log
	trap '' PIPE
	t "DPDK: $XI_DPDK_CMD"
	rm -f /tmp/dpdk.in && mkfifo /tmp/dpdk.in
	# XI_DPDK_CMD is a plain word list (dom0 builds it without quoting).
	# stdout line-buffered (coreutils' stdbuf preload): the ready line must
	# reach the log file at once.
	LD_PRELOAD=/opt/dpdk/lib/libstdbuf.so _STDBUF_O=L LD_LIBRARY_PATH=/opt/xen-dpdk/lib:/opt/dpdk/lib \
		$XI_DPDK_CMD < /tmp/dpdk.in > /tmp/dpdk.log 2>&1 &
	pid=$!
	exec 9> /tmp/dpdk.in
	if [ "$XI_DPDK_MODE" = serve ]; then
		while ! grep -qE "$XI_DPDK_READY" /tmp/dpdk.log && kill -0 $pid 2>/dev/null && [ "$(now)" -lt "$end" ]; do
			sleep 1
		done
		if grep -qE "$XI_DPDK_READY" /tmp/dpdk.log; then
			xenstore-write data/xi-ready 1
			echo "XI-DPDK-READY"
			while [ "$(xenstore-read data/xi-stop 2>/dev/null)" != 1 ] && kill -0 $pid 2>/dev/null &&
				[ "$(now)" -lt "$end" ]; do
				sleep 1
			done
		fi
		echo >&9
	fi
	# wait for the end, bounded by the lifetime (+30 s for a clean exit)
	while kill -0 $pid 2>/dev/null && [ "$(now)" -lt $((end + 30)) ]; do sleep 1; done
	kill -0 $pid 2>/dev/null && { t "DPDK still running: SIGINT"; kill -INT $pid; sleep 10; kill -KILL $pid 2>/dev/null; }
	wait $pid || rc=$?
	exec 9>&-
	echo "----- DPDK log -----"
	cat /tmp/dpdk.log
	echo "----- end of DPDK log -----"
	echo "XI-DPDK-EXIT $rc"
	return $rc
}

role_nc_recv() {
	net_up || return 1
	cat > /tmp/rx.sh <<-'EOF'
	#!/bin/sh
	cat > /tmp/rx.data
	EOF
	chmod +x /tmp/rx.sh
	xenstore-write data/xi-ready 1
	# nc -e: the received stream is the program's stdin; nc returns when
	# it ends (the sender closed its side).
	timeout "$XI_LIFETIME" nc -l -p 5000 -e /tmp/rx.sh < /dev/null || { t "nc -l failed or timed out"; return 1; }
	echo "XI-SHA $(sha256sum < /tmp/rx.data | cut -d' ' -f1) $(wc -c < /tmp/rx.data)"
}

role_nc_send() {
	local end=$(( $(now) + XI_LIFETIME ))
	net_up || return 1
	dd if=/dev/urandom of=/tmp/tx.data bs=1048576 count="$XI_NC_MB" 2>/dev/null
	echo "XI-SHA $(sha256sum < /tmp/tx.data | cut -d' ' -f1) $(wc -c < /tmp/tx.data)"
	# The receiver may not listen yet: a refused connection is retried.
	while [ "$(now)" -lt "$end" ]; do
		if timeout $((end - $(now) + 1)) nc -w 10 "$XI_NC_PEER" 5000 < /tmp/tx.data; then
			t "sent"
			return 0
		fi
		sleep 2
	done
	t "could not send to $XI_NC_PEER:5000"
	return 1
}

t "role $XI_ROLE"
case $XI_ROLE in
ping) role_ping ;;
up) net_up ;;
dpdk) role_dpdk ;;
nc-recv) role_nc_recv ;;
nc-send) role_nc_send ;;
*) t "unknown role '$XI_ROLE'"; exit 2 ;;
esac
