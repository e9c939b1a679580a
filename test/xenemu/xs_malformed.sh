#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs the hostile client xs_malformed against a fresh instance with one
# guest, then checks the daemon is still alive and serving.
#
# Usage: xs_malformed.sh XENEMU XS_MALFORMED

. "$(dirname "$0")/xs_common.sh"
CLIENT=${2:?usage: $0 XENEMU XS_MALFORMED}

expect_ok "start" xe start
expect_ok "create domain 1" xe domain create --domid 1
pid=$(cat "$XENEMU_DIR/xenstored/pid")
if timeout 60 "$CLIENT" "$XENEMU_DIR/xenstored/dom0.sock" \
	"$XENEMU_DIR/xenstored/dom1.sock"; then
	ok "malformed and oversized messages"
else
	bad "xs_malformed"
fi
alive "$pid" && ok "the daemon survived" || bad "the daemon died"
expect_eq "$(xe domain list | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" \
	"0 1 " "it still serves the toolstack"
finish
