#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Every protocol violation is documented (issue 16's policy): each text of
# xenpv_violation_names (drivers/common/xen/xenpv_netif.c), which is what
# the log line says, must stand in the violation table of doc/xenback.rst
# (a guest's requests) or doc/xennet.rst (a backend's responses). Exit 1
# and list the missing ones if one is not.
set -eu
top=${1:?usage: check_violations_doc.sh SOURCE_ROOT}
# the docs as one line, whitespace squeezed (a table cell may wrap)
docs=$(cat "$top/doc/xenback.rst" "$top/doc/xennet.rst" | tr -s ' \n\t' '   ')
names=$(sed -n 's/^[[:space:]]*\[XENPV_VIOL_[A-Z_]*\] = "\(.*\)",$/\1/p' \
	"$top/drivers/common/xen/xenpv_netif.c" | grep -vx none)
[ -n "$names" ] || { echo "no violation names found in xenpv_netif.c"; exit 1; }
missing=0
n=0
while IFS= read -r name; do
	n=$((n + 1))
	case $docs in
	*"$name"*) ;;
	*) echo "violation \"$name\" is not documented in doc/xenback.rst or doc/xennet.rst"
	   missing=$((missing + 1)) ;;
	esac
done <<EOF2
$names
EOF2
[ "$missing" = 0 ] || exit 1
echo "all $n violations documented"
