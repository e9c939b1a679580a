#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `xenemu vif attach --wait`, libxl's hotplug sequence: the backend must
# reach InitWait within the timeout (else the vif is removed and the attach
# fails, as `xl create` fails), then the vif's script runs as the backend's
# domain with libxl's arguments and environment and reports hotplug-status;
# a failing script fails the attach. `vif detach` runs the script's offline.
# Domains by name, and `vif list`.
#
# Usage: tool_vif_hotplug.sh XENEMU

. "$(dirname "$0")/xs_common.sh"

expect_ok "start" xe start
expect_ok "create the backend domain" xe domain create --domid 1 --name back
expect_ok "create the frontend domain" xe domain create --domid 2 --name guest

BE=/local/domain/1/backend/vif/2

# A backend of domain 1 that answers a new vif with InitWait, as a driver
# does: it watches its backend directory and writes state 2 under each vif
# that says 1.
backend_loop() {
	while :; do
		for d in $(as 1 xenstore-list $BE 2>/dev/null); do
			if [ "$(as 1 xenstore-read $BE/$d/state 2>/dev/null)" = 1 ]; then
				as 1 xenstore-write $BE/$d/state 2
			fi
		done
		sleep 0.1
	done
}

# No backend: libxl's timeout, and nothing is left behind.
t0=$(date +%s%N)
expect_fail "no backend: attach --wait times out" 1 \
	"did not reach InitWait within 1 s.*vif removed" \
	xe vif attach --frontend guest --backend back --wait --timeout 1
t1=$(date +%s%N)
if [ $(((t1 - t0) / 1000000)) -ge 900 ]; then
	ok "it waited for the timeout"
else
	bad "it gave up after $(((t1 - t0) / 1000000)) ms, not 1 s"
fi
expect_fail "the vif is removed" nonzero "" \
	as 0 xenstore-exists /local/domain/2/device/vif/0
expect_fail "its /libxl record is removed" nonzero "" \
	as 0 xenstore-exists /libxl/2/device/vif/0

bg backend_loop

# A script that records how it was called and reports success as
# vif-bridge does (xenstore-write of hotplug-status under XENBUS_PATH).
cat > "$SCRATCH/vif-test" <<'X'
#!/bin/sh
echo "$0 $* domid=$XENEMU_DOMID XENBUS_TYPE=$XENBUS_TYPE XENBUS_PATH=$XENBUS_PATH XENBUS_BASE_PATH=$XENBUS_BASE_PATH vif=$vif script=$script" >> "${0%/*}/calls"
[ "$1" = online ] || exit 0
[ -e "${0%/*}/fail" ] && exit 3
xenstore-write "$XENBUS_PATH/hotplug-status" connected
X
chmod +x "$SCRATCH/vif-test"

expect_eq "$(xe vif attach --frontend guest --backend back --wait \
	--script "$SCRATCH/vif-test" --mac 00:16:3e:00:00:02)" "0" \
	"attach --wait with a backend: the devid"
expect_eq "$(cat "$SCRATCH/calls")" \
	"$SCRATCH/vif-test online type_if=vif domid=1 XENBUS_TYPE=vif XENBUS_PATH=backend/vif/2/0 XENBUS_BASE_PATH=backend vif=vif2.0 script=$SCRATCH/vif-test" \
	"the script ran once as the backend's domain, with libxl's arguments and environment"
expect_eq "$(as 0 xenstore-read $BE/0/hotplug-status)" "connected" \
	"the script reported hotplug-status"
expect_eq "$(as 0 xenstore-read $BE/0/state)" "2" "the backend is in InitWait"

# A script that fails: the attach fails and the vif goes, as in libxl.
: > "$SCRATCH/fail"
expect_fail "a failing script fails the attach" 1 \
	"hotplug script .*vif-test online failed \(status 3\); vif removed" \
	xe vif attach --frontend 2 --backend 1 --devid 1 --wait \
	--script "$SCRATCH/vif-test"
expect_fail "the failed vif is removed" nonzero "" \
	as 0 xenstore-exists /local/domain/2/device/vif/1
rm -f "$SCRATCH/fail"

# Without an executable script (vif-bridge is not on this machine) --wait
# still waits for InitWait, then reports the script's success itself.
expect_eq "$(xe vif attach --frontend guest --backend back --devid 2 --wait \
	--script /nonexistent/vif-bridge)" "2" "attach --wait, no script file"
expect_eq "$(as 0 xenstore-read $BE/2/hotplug-status)" "connected" \
	"hotplug-status written for the missing script"

# vif list: both vifs, by domain and name; filters by name.
expect_eq "$(xe vif list | awk 'NR > 1 { print $1, $2, $3, $4, $6, $7, $8 }' | tr '\n' ';')" \
	"2 guest 0 1 2 00:16:3e:00:00:02 connected;2 guest 2 1 2 $(as 0 xenstore-read $BE/2/mac) connected;" \
	"vif list"
expect_eq "$(xe vif list --frontend back | awk 'NR > 1' | wc -l)" "0" \
	"vif list --frontend back: none"
expect_fail "vif list of an unknown name" 1 "no domain called 'nosuch'" \
	xe vif list --frontend nosuch
expect_fail "attach to an unknown name" 1 "no domain called 'nosuch'" \
	xe vif attach --frontend nosuch --backend 1

# Detach by name runs the script's offline (after the backend closed:
# --force, nothing answers Closing here).
: > "$SCRATCH/calls"
expect_ok "detach by name" xe vif detach --frontend guest --devid 0 --force
expect_eq "$(cut -d' ' -f2,3 "$SCRATCH/calls")" "offline type_if=vif" \
	"detach ran the script's offline"
: > "$SCRATCH/calls"
expect_ok "detach the vif attached without a script" \
	xe vif detach --frontend 2 --devid 2 --force
expect_eq "$(lines "$SCRATCH/calls")" "0" "no script ran for it"

finish
