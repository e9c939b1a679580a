#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `xenemu vif attach/detach` and `domain destroy`: the frontend and backend
# keys and permissions libxl 4.17 writes for a vif, checked with Debian's
# xenstore tools as dom0 and as each domain; detach as libxl does it (online
# 0, state Closing, wait for the backend's Closed), its timeout and --force;
# and the cleanup of a destroyed domain's devices.
#
# Usage: tool_vif.sh XENEMU

. "$(dirname "$0")/xs_common.sh"

expect_ok "start" xe start
expect_ok "create the backend domain" xe domain create --domid 1 --name back
expect_ok "create the frontend domain" xe domain create --domid 2 --name front

expect_eq "$(xe vif attach --frontend 2 --backend 1 --mac 00:16:3e:0a:0b:0c \
	--mtu 9000)" "0" "attach prints the devid"

FE=/local/domain/2/device/vif/0
BE=/local/domain/1/backend/vif/2/0
expect_eq "$(as 0 xenstore-ls -p $FE | unpad)" "$(cat <<'X'
backend = "/local/domain/1/backend/vif/2/0" (n2,r1)
backend-id = "1" (n2,r1)
state = "1" (n2,r1)
handle = "0" (n2,r1)
mac = "00:16:3e:0a:0b:0c" (n2,r1)
trusted = "1" (n2,r1)
mtu = "9000" (n1,r2)
X
)" "frontend keys and permissions"
expect_eq "$(as 0 xenstore-ls -p $BE | unpad)" "$(cat <<'X'
frontend = "/local/domain/2/device/vif/0" (n1,r2)
frontend-id = "2" (n1,r2)
online = "1" (n1,r2)
state = "1" (n1,r2)
script = "/etc/xen/scripts/vif-bridge" (n1,r2)
mac = "00:16:3e:0a:0b:0c" (n1,r2)
mtu = "9000" (n1,r2)
bridge = "xenbr0" (n1,r2)
handle = "0" (n1,r2)
type = "vif" (n1,r2)
hotplug-status = "connected" (n1,r2)
X
)" "backend keys and permissions (hotplug script reported done)"
expect_eq "$(as 0 xenstore-read /libxl/2/device/vif/0/frontend \
	/libxl/2/device/vif/0/backend /libxl/2/device/vif/0/mac | tr '\n' ' ')" \
	"$FE $BE 00:16:3e:0a:0b:0c " "the toolstack's copy in /libxl"
expect_eq "$(as 0 xenstore-ls -p /local/domain/2 | grep -E '^device |^ vif ' | unpad)" \
	"$(printf 'device = "" (n0,r2)\n vif = "" (n0,r2)')" \
	"the frontend's device dirs are dom0's, readable by it"

# Who may do what, as the drivers will.
expect_eq "$(as 2 xenstore-read $BE/state)" "1" "the frontend reads the backend"
expect_eq "$(as 1 xenstore-read $FE/mac)" "00:16:3e:0a:0b:0c" \
	"the backend reads the frontend"
expect_ok "the frontend writes its state" as 2 xenstore-write $FE/state 4
expect_ok "the backend writes its state" as 1 xenstore-write $BE/state 4
expect_ok "the backend writes its features" \
	as 1 xenstore-write $BE/feature-rx-copy 1
expect_fail "the frontend cannot change its mtu" nonzero "could not write" \
	as 2 xenstore-write $FE/mtu 1500
expect_fail "the frontend cannot write the backend" nonzero "could not write" \
	as 2 xenstore-write $BE/state 6
expect_fail "the backend cannot write the frontend" nonzero "could not write" \
	as 1 xenstore-write $FE/state 6

# Defaults: next devid, random Xen MAC, mtu 1500 (no backend mtu key).
expect_eq "$(xe vif attach --frontend 2 --backend 1)" "1" "the next devid"
expect_fail "backend mtu only when not 1500" nonzero "" \
	as 0 xenstore-exists /local/domain/1/backend/vif/2/1/mtu
expect_eq "$(as 0 xenstore-read /local/domain/2/device/vif/1/mtu)" "1500" \
	"the frontend's mtu is always there"
[[ "$(as 0 xenstore-read /local/domain/2/device/vif/1/mac)" =~ ^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$ ]] &&
	ok "a random MAC in Xen's OUI" || bad "default MAC"
expect_fail "the same devid twice" 1 "already exists" \
	xe vif attach --frontend 2 --backend 1 --devid 0
expect_fail "an unknown frontend" 1 "no domain 9" \
	xe vif attach --frontend 9 --backend 1
expect_fail "a bad MAC" 2 "not a MAC" \
	xe vif attach --frontend 2 --backend 1 --mac 00:16:3e:0a:0b
expect_fail "a multicast MAC" 2 "multicast" \
	xe vif attach --frontend 2 --backend 1 --mac 01:16:3e:0a:0b:0c
expect_fail "a bad mtu" 2 "mtu" \
	xe vif attach --frontend 2 --backend 1 --mtu 20

# Detach, the backend cooperating: it sees online 0 and Closing, closes.
backend_closes() {
	local i
	for i in $(seq 1 200); do
		if [ "$(as 1 xenstore-read $BE/state 2>/dev/null)" = 5 ]; then
			as 1 xenstore-read $BE/online > "$SCRATCH/online"
			as 1 xenstore-write $BE/state 6
			return 0
		fi
		sleep 0.05
	done
	return 1
}
bg backend_closes
expect_ok "detach with a backend that closes" \
	xe vif detach --frontend 2 --devid 0 --timeout 10
expect_eq "$(cat "$SCRATCH/online" 2>/dev/null)" "0" \
	"the backend was set offline before Closing"
expect_fail "the frontend dir is gone" nonzero "" as 0 xenstore-exists $FE
expect_fail "the backend dir is gone" nonzero "" as 0 xenstore-exists $BE
expect_fail "the /libxl copy is gone" nonzero "" \
	as 0 xenstore-exists /libxl/2/device/vif/0
expect_ok "vif 1 stays" as 0 xenstore-exists /local/domain/2/device/vif/1

# A backend that never closes: detach gives up, --force does not wait.
expect_fail "detach times out" 1 "did not close within 1 s" \
	xe vif detach --frontend 2 --devid 1 --timeout 1
expect_eq "$(as 0 xenstore-read /local/domain/1/backend/vif/2/1/state)" "5" \
	"after the timeout the backend is left Closing"
expect_ok "detach --force" xe vif detach --frontend 2 --devid 1 --force
expect_fail "all vif dirs are gone" nonzero "" \
	as 0 xenstore-exists /local/domain/2/device/vif
expect_fail "empty backend dirs are cleaned up" nonzero "" \
	as 0 xenstore-exists /local/domain/1/backend
expect_fail "detach of a missing vif" 1 "has no vif 0" \
	xe vif detach --frontend 2 --devid 0

# Destroy removes the domain's devices, backends included.
expect_eq "$(xe vif attach --frontend 2 --backend 1 --devid 3)" "3" \
	"attach again"
expect_ok "destroy the frontend domain" xe domain destroy --domid 2 --timeout 1
expect_fail "its backend dir is gone" nonzero "" \
	as 0 xenstore-exists /local/domain/1/backend/vif/2
expect_fail "its /libxl dir is gone" nonzero "" as 0 xenstore-exists /libxl/2
expect_fail "its home is gone" nonzero "" as 0 xenstore-exists /local/domain/2
expect_eq "$(as 0 xenstore-list /vm | wc -l)" "1" "only domain 1's /vm is left"
expect_eq "$(xe domain list | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" \
	"0 1 " "domain list"

finish
