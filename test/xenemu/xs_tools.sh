#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Debian's real xenstore-read/write/ls/list/exists/rm/chmod/watch (package
# xenstore-utils, linked with Debian's libxenstore) against xenemu's
# xenstored, run as domains through `xenemu exec`: reads and writes,
# relative paths, permission denial between two guests, a watch with its
# initial event, a transaction conflict (EAGAIN), directories larger than a
# payload (XS_DIRECTORY_PART), @introduceDomain and @releaseDomain.
#
# Usage: xs_tools.sh XENEMU XS_TX_CONFLICT

. "$(dirname "$0")/xs_common.sh"
TXC=${2:?usage: $0 XENEMU XS_TX_CONFLICT}

expect_ok "start" xe start

# @introduceDomain: dom0's watch fires when a domain is introduced.
bg as 0 xenstore-watch -n 3 @introduceDomain > "$SCRATCH/intro"
wait_for 10 has_lines "$SCRATCH/intro" 1 ||
	bad "the @introduceDomain watch never gave its initial event"
expect_ok "create domain 1" xe domain create --domid 1 --name one
expect_ok "create domain 2" xe domain create --domid 2 --name two
wait_for 10 has_lines "$SCRATCH/intro" 3
expect_eq "$(cat "$SCRATCH/intro" | tr '\n' ' ')" \
	"@introduceDomain @introduceDomain @introduceDomain " \
	"@introduceDomain: initial event, then one per domain"

# dom0: write, read, list, ls, exists, rm.
expect_ok "dom0 writes" as 0 xenstore-write /t/a 1 /t/b "two words"
expect_eq "$(as 0 xenstore-read /t/a /t/b | tr '\n' '|')" "1|two words|" \
	"dom0 reads"
expect_eq "$(as 0 xenstore-list /t | tr '\n' ' ')" "a b " "xenstore-list"
expect_eq "$(as 0 xenstore-ls /t)" "$(printf 'a = "1"\nb = "two words"')" \
	"xenstore-ls"
expect_ok "xenstore-exists" as 0 xenstore-exists /t/a
expect_ok "xenstore-rm" as 0 xenstore-rm /t/a
expect_fail "a removed node is gone" nonzero "" as 0 xenstore-exists /t/a
expect_fail "reading a missing node" nonzero "couldn't read path /nope" \
	as 0 xenstore-read /nope
expect_eq "$(as 0 xenstore-read /local/domain/0/name)" "Domain-0" \
	"dom0's name, as xen-init-dom0 writes it"
expect_eq "$(as 0 xenstore-read /local/domain/1/name)" "one" \
	"domain 1's name"

# A guest: relative paths are below its home.
expect_ok "dom1 writes a relative path" as 1 xenstore-write data/x hello
expect_eq "$(as 0 xenstore-read /local/domain/1/data/x)" "hello" \
	"dom0 reads what dom1 wrote"
expect_eq "$(as 1 xenstore-read domid)" "1" "dom1 reads its domid"
expect_eq "$(as 0 xenstore-ls -p /local/domain/1/data | unpad)" \
	'x = "hello" (n1)' "dom1 owns what it created"

# Permission denial between guests, then a grant.
expect_fail "dom2 cannot read dom1's node" nonzero "couldn't read" \
	as 2 xenstore-read /local/domain/1/data/x
expect_fail "dom2 cannot write there" nonzero "could not write" \
	as 2 xenstore-write /local/domain/1/data/x evil
expect_fail "dom2 cannot write dom0's nodes" nonzero "could not write" \
	as 2 xenstore-write /t/b evil
expect_fail "dom1 cannot write its home (n0,r1)" nonzero "could not write" \
	as 1 xenstore-write name renamed
expect_fail "dom2 cannot chmod dom1's node" nonzero "" \
	as 2 xenstore-chmod /local/domain/1/data/x n2
expect_ok "dom1 grants dom2 read" as 1 xenstore-chmod data/x n1 r2
expect_eq "$(as 2 xenstore-read /local/domain/1/data/x)" "hello" \
	"dom2 reads after the grant"
expect_fail "dom2 still cannot write" nonzero "could not write" \
	as 2 xenstore-write /local/domain/1/data/x evil
expect_eq "$(as 0 xenstore-read /local/domain/1/data/x)" "hello" \
	"the value is unchanged"
expect_fail "a guest cannot give its node away" nonzero "" \
	as 1 xenstore-chmod data/x n2

# A watch: the initial event at once, then one per change below it.
bg as 1 xenstore-watch -n 3 data/w > "$SCRATCH/watch"
wait_for 10 has_lines "$SCRATCH/watch" 1 ||
	bad "the watch never gave its initial event"
expect_ok "dom1 writes below its watch" as 1 xenstore-write data/w/k 1
expect_ok "dom0 writes there too" as 0 xenstore-write /local/domain/1/data/w 2
wait_for 10 has_lines "$SCRATCH/watch" 3
expect_eq "$(cat "$SCRATCH/watch" | tr '\n' ' ')" "data/w data/w/k data/w " \
	"watch events: initial, then the changes, relative"

# Transactions through the real libxenstore: the second commit gets EAGAIN.
expect_eq "$(as 1 "$TXC" data/tx | head -n 1)" "second commit: EAGAIN" \
	"transaction conflict as dom1"
expect_ok "transaction conflict as dom0" as 0 "$TXC" /txtest/node

# More children than one payload holds: libxenstore's xs_directory() gets
# E2BIG and falls back to XS_DIRECTORY_PART.
args=()
for i in $(seq 1 200); do
	args+=("/big/a-rather-long-child-name-$i" "$i")
done
expect_ok "dom0 writes 200 nodes" as 0 xenstore-write "${args[@]}"
expect_eq "$(as 0 xenstore-list /big | wc -l)" "200" \
	"xenstore-list of a 6 KiB directory"
expect_eq "$(as 0 xenstore-list /big | tail -n 1)" \
	"a-rather-long-child-name-200" "in creation order"
expect_ok "xenstore-rm of a large tree" as 0 xenstore-rm /big

# @releaseDomain when a domain is destroyed; its socket goes with it.
bg as 0 xenstore-watch -n 2 @releaseDomain > "$SCRATCH/release"
wait_for 10 has_lines "$SCRATCH/release" 1 ||
	bad "the @releaseDomain watch never gave its initial event"
expect_ok "destroy domain 2" xe domain destroy --domid 2
wait_for 10 has_lines "$SCRATCH/release" 2
expect_eq "$(cat "$SCRATCH/release" | tr '\n' ' ')" \
	"@releaseDomain @releaseDomain " "@releaseDomain fired on destroy"
expect_fail "domain 2's home is gone" nonzero "" \
	as 0 xenstore-exists /local/domain/2
[ ! -e "$XENEMU_DIR/xenstored/dom2.sock" ] && ok "dom2's socket is gone" ||
	bad "dom2's socket is still there"
expect_fail "nothing runs as domain 2 any more" 1 "no domain 2" \
	as 2 xenstore-read domid
expect_eq "$(as 1 xenstore-read /local/domain/1/data/x)" "hello" \
	"domain 1 is untouched"

finish
