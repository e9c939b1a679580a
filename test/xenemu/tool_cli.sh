#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The `xenemu` command's life cycle and errors: usage errors (exit 2),
# commands without an instance, a second start, unknown domains, names
# already taken, exec/env of a domain's environment, and a stop that leaves
# no file behind. Runs only our own programs (and coreutils).
#
# Usage: tool_cli.sh XENEMU

. "$(dirname "$0")/xs_common.sh"

expect_fail "no command" 2 "Usage" xe
expect_ok "help" xe help
expect_fail "unknown command" 2 "unknown command 'frob'" xe frob
expect_fail "domain without subcommand" 2 "needs a subcommand" xe domain
expect_fail "create without --domid" 2 "needs --domid" xe domain create
expect_fail "a domid that is no number" 2 "not a number" \
	xe domain create --domid abc
expect_fail "a reserved domid" 2 "not a number from 0 to 32751" \
	xe domain create --domid 32752
expect_fail "domain 0 is not created by hand" 2 "xenemu start" \
	xe domain create --domid 0
expect_fail "exec without a program" 2 "needs a program" xe exec --domid 0
expect_fail "stray arguments" 2 "takes no arguments" xe start now
expect_fail "commands need an instance" 1 "no xenemu instance is running" \
	xe domain list
expect_fail "stop without an instance" 1 "no xenemu instance" xe stop

expect_ok "start" xe start
pid=$(cat "$XENEMU_DIR/xenstored/pid")
expect_fail "a second start" 1 "already running in $XENEMU_DIR" xe start
expect_eq "$(cat "$XENEMU_DIR/xenstored/pid")" "$pid" \
	"the first daemon still runs"
alive "$pid" && ok "its process is alive" || bad "daemon died"

# env and exec give a domain's environment.
eval "$(xe env --domid 0)"
expect_eq "$XENSTORED_PATH" "$XENEMU_DIR/xenstored/dom0.sock" "XENSTORED_PATH"
expect_eq "$XENEMU_DOMID" "0" "XENEMU_DOMID"
[ -S "$XENSTORED_PATH" ] && ok "the socket exists" || bad "no socket"
libdir=${LD_LIBRARY_PATH%%:*}
[ -e "$libdir/libxengnttab.so.1" ] && [ -e "$libdir/libxenevtchn.so.1" ] &&
	ok "LD_LIBRARY_PATH starts with xenemu's libraries" ||
	bad "LD_LIBRARY_PATH=$LD_LIBRARY_PATH has no xenemu libraries first"
unset XENSTORED_PATH XENEMU_DOMID LD_LIBRARY_PATH
expect_fail "env of an unknown domain" 1 "no domain 5" xe env --domid 5
expect_fail "exec as an unknown domain" 1 "no domain 5" \
	xe exec --domid 5 -- true

expect_ok "create domain 3" xe domain create --domid 3 --name web
expect_eq "$(xe exec --domid 3 -- env | grep -E '^(XENEMU_DOMID|XENSTORED_PATH)=' | sort | tr '\n' ' ')" \
	"XENEMU_DOMID=3 XENSTORED_PATH=$XENEMU_DIR/xenstored/dom3.sock " \
	"exec sets the domain's variables"
expect_eq "$(xe exec --domid 3 -- sh -c 'echo "$XENEMU_DIR"')" \
	"$XENEMU_DIR" "exec sets XENEMU_DIR"
expect_fail "exec of a missing program" 1 "cannot run" \
	xe exec --domid 3 -- /nonexistent/program
expect_fail "the same domid twice" 1 "domain 3 already exists" \
	xe domain create --domid 3
expect_fail "the same name twice" 1 "named 'web' already exists" \
	xe domain create --domid 4 --name web
expect_fail "an empty name" 2 "name" xe domain create --domid 4 --name ""
expect_eq "$(xe domain list | tr -s ' ' | tr '\n' '|')" \
	"Name ID|Domain-0 0|web 3|" "domain list"
[ -d "$XENEMU_DIR/dom/3" ] && ok "the core library's domain exists" ||
	bad "no $XENEMU_DIR/dom/3"
expect_eq "$(xe domain stat --domid 3 | tr '\n' ' ')" \
	"grants=0 pages=0 pins=0 revoking=0 ports=0 handles=0 dead_handles=0 " \
	"domain stat of a new domain"
expect_fail "stat of an unknown domain" 1 "domain 7 does not exist" \
	xe domain stat --domid 7
expect_fail "stat without --domid" 2 "needs --domid" xe domain stat
expect_fail "destroy an unknown domain" 1 "no domain 7" \
	xe domain destroy --domid 7
expect_fail "destroy domain 0" 2 "xenemu stop" xe domain destroy --domid 0
expect_ok "destroy domain 3" xe domain destroy --domid 3
[ ! -e "$XENEMU_DIR/dom/3" ] && ok "its grant and event state is gone" ||
	bad "$XENEMU_DIR/dom/3 is still there"
expect_fail "exec as a destroyed domain" 1 "no domain 3" \
	xe exec --domid 3 -- true
expect_ok "a domid can be reused" xe domain create --domid 3 --name web

# stop: the daemon ends, every file goes.
expect_ok "stop" xe stop
alive "$pid" && bad "the daemon still runs" ||
	ok "the daemon is gone"
expect_eq "$(find "$XENEMU_DIR" -mindepth 1 | head -n 5)" "" \
	"stop leaves no file in XENEMU_DIR"
expect_ok "start again" xe start
expect_ok "stop again" xe stop

# An XENEMU_DIR that does not exist: start makes it, stop removes it.
XENEMU_DIR=$XENEMU_DIR/sub
expect_ok "start in a new directory" xe start
expect_ok "stop there" xe stop
[ ! -e "$XENEMU_DIR" ] && ok "the directory start made is gone" ||
	bad "$XENEMU_DIR is left"
XENEMU_DIR=${XENEMU_DIR%/sub}

long=$XENEMU_DIR/$(printf 'x%.0s' $(seq 1 100))
expect_fail "an XENEMU_DIR too long for sockets" 1 "too long" \
	env XENEMU_DIR="$long" "$XENEMU" start

finish
