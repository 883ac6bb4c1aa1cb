#!/bin/bash
# dupsym_probe - probe one particular copy of a static function whose name
# occurs more than once in the kernel (type_show has a dozen).  tracefs
# refuses ambiguous names, so the copy is picked by its position in the
# symbol table and probed by address.
#
# usage: dupsym_probe [-n NTH] [-d SECONDS]

NTH=2
DUR=5
TRACING=/sys/kernel/tracing
FUNC=type_show

while getopts "n:d:h" opt; do
	case $opt in
	n) NTH=$OPTARG ;;
	d) DUR=$OPTARG ;;
	*) echo "usage: $0 [-n NTH] [-d SECONDS]" >&2; exit 1 ;;
	esac
done

die() {
	echo "dupsym_probe: $*" >&2
	exit 1
}

[[ -w $TRACING/kprobe_events ]] || die "cannot write kprobe_events (root?)"

count=$(grep -c " [tT] $FUNC\$" /proc/kallsyms)
(( count >= NTH )) || die "only $count copies of $FUNC in /proc/kallsyms"

ADDR=$(awk -v f="$FUNC" -v n="$NTH" '$3 == f && ++seen == n { print $1; exit }' /proc/kallsyms)
[[ -n $ADDR ]] || die "copy $NTH of $FUNC not found"
[[ $ADDR != 0000000000000000 ]] || die "addresses hidden; set kernel.kptr_restrict=0"

RADDR=0x$(awk -v f="$FUNC" '$3 == f { print $1; exit }' /proc/kallsyms)

echo "copy $NTH of $FUNC is at 0x$ADDR"

# the first copy is what tracefs would pick by name anyway
echo "p:dupsym/first $FUNC" >> $TRACING/kprobe_events
echo "r:dupsym/first_ret $FUNC" >> $TRACING/kprobe_events

# the wanted copy, by address
echo "p:dupsym/nth 0x$ADDR buf=%dx" >> $TRACING/kprobe_events
printf 'p:dupsym/nth_body 0x%s\n' "$ADDR" >> $TRACING/kprobe_events
echo "r:dupsym/nth_ret 0x${ADDR} ret=\$retval" >> $TRACING/kprobe_events
echo "r:dupsym/first_ret2 $RADDR" >> $TRACING/kprobe_events

echo 1 > $TRACING/events/dupsym/enable
sleep "$DUR"
echo 0 > $TRACING/events/dupsym/enable
grep dupsym/ $TRACING/trace | tail -n 20

for ev in first first_ret nth nth_body nth_ret first_ret2; do
	echo "-:dupsym/$ev" >> $TRACING/kprobe_events
done
