#!/bin/bash
# written for probe-migrator's corpus in the style of a build-time helper
# that turns the installed symbol map into a C header of addresses for an
# out-of-tree module (run from its Makefile before the module is built).
#
# usage: gen_symhdr.sh [MAP] [OUT]

MAP=${1:-/boot/System.map-$(uname -r)}
OUT=${2:-symaddrs.h}
WANT="do_exit tcp_sendmsg __x64_sys_getdents64 filldir64"

if [ ! -r "$MAP" ]; then
	echo "$0: cannot read $MAP" >&2
	exit 1
fi

{
	echo "/* generated from $MAP by $0 - do not edit */"
	echo "#ifndef SYMADDRS_H"
	echo "#define SYMADDRS_H"
	for s in $WANT; do
		a=$(awk -v s="$s" '$3 == s { print $1; exit }' "$MAP")
		[ -n "$a" ] && echo "#define ADDR_$s 0x$a"
	done
	# data symbols too
	awk '$2 ~ /^[DdRr]$/ && $3 == "sys_call_table" { printf "#define ADDR_%s 0x%s\n", $3, $1 }' "$MAP"
	echo "#define SYMADDRS_KREL \"$(uname -r)\""
	echo "#endif"
} > "$OUT"

echo "wrote $(grep -c '^#define ADDR_' "$OUT") addresses to $OUT"
