#!/bin/sh
# sysmap-probe -- place entry probes on every copy of a duplicated static
# function (type_show, a .constprop clone...).  Names can't tell the copies
# apart, so each copy is probed at the address the map gives it.
#
#   sysmap-probe [-k KVER] [-n] SYMBOL...
#
#   -k KVER   use that kernel's map (default: running kernel)
#   -n        dry run: print the definitions instead of writing them

KVER=$(uname -r)
dry=
while getopts k:n o; do
	case $o in
	k) KVER=$OPTARG ;;
	n) dry=1 ;;
	*) echo "usage: $0 [-k KVER] [-n] SYMBOL..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-k KVER] [-n] SYMBOL..." >&2; exit 2; }

T=/sys/kernel/tracing
out=$T/kprobe_events
[ -n "$dry" ] && out=/dev/stdout

if [ "$KVER" = "$(uname -r)" ] && ! grep -q ' [tT] _stext$' /boot/System.map-$KVER; then
	echo "System.map for $KVER looks like a stub; install the -dbg package" >&2
	exit 1
fi

i=0
for sym in "$@"; do
	n=0
	for a in $(grep " [tT] $sym\$" /boot/System.map-$KVER | cut -d' ' -f1); do
		n=$((n + 1))
		printf 'p:smap/%s_%d 0x%s\n' "$sym" "$n" "$a" >> $out
		echo "r:smap/${sym}_${n}_ret 0x$a" >> $out
		i=$((i + 1))
	done
	case $n in
	0) echo "$sym: not in the map" >&2 ;;
	1) echo "$sym: unique, probing it by name is safer" >&2
	   echo "-:smap/${sym}_1" >> $out
	   echo "-:smap/${sym}_1_ret" >> $out
	   echo "p:smap/${sym}_1 $sym" >> $out ;;
	*) echo "$sym: $n copies" >&2 ;;
	esac
done

[ -n "$dry" ] && exit 0
[ $i -gt 0 ] || exit 1
echo 1 > $T/events/smap/enable
echo "probing $i locations; disable with: echo 0 > $T/events/smap/enable" >&2
