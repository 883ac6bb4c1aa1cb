#!/bin/bash
#
# kaddr-trace - trace a kernel function, or one instruction of it, through
#               ftrace kprobes.  Accepts a symbol or a start address.
#
# USAGE: ./kaddr-trace [-hmrs] [-d secs] [-o offset] target [fetchargs]
#
# Needs root, a kernel with CONFIG_KPROBE_EVENTS, and (for symbols that occur
# more than once) readable kallsyms.
#
# 2019-08-02	first version, after perf-tools' kprobe

### default variables
tracing=/sys/kernel/debug/tracing
flock=/var/tmp/.ftrace-lock
opt_ret=0; opt_stack=0; opt_many=0; opt_off=0; duration=; offset=0
trap ':' INT QUIT TERM PIPE HUP

function usage {
	cat <<-END >&2
	USAGE: kaddr-trace [-hmrs] [-d secs] [-o offset] target [fetchargs]
	                 -d secs         # trace for this long, then print
	                 -m              # many concurrent callers (-r: maxactive 64)
	                 -o offset       # byte offset into the function (symbols only)
	                 -r              # trace the return
	                 -s              # print kernel stack
	  eg,
	       kaddr-trace do_sys_openat2             # by name
	       kaddr-trace -o 0x1d do_sys_openat2     # one instruction in
	       kaddr-trace ffffffff8139f2d0           # by address, as listed in
	                                              # /proc/kallsyms
END
	exit
}

function warn { echo >&2 "$@"; }
function die { echo >&2 "$@"; exit 1; }

function resolve {
	awk -v s="$1" '$3 == s && $2 ~ /^[tT]$/ { print $1; exit }' /proc/kallsyms
}

function end {
	echo 2>/dev/null 0 > events/kaddr/$event/enable
	(( opt_stack )) && echo 2>/dev/null nostacktrace > trace_options
	echo "-:kaddr/$event" >> kprobe_events
	echo > trace
	rm -f $flock
}

### process options
while getopts d:o:hmrs opt
do
	case $opt in
	d)	duration=$OPTARG ;;
	m)	opt_many=1 ;;
	o)	opt_off=1; offset=$OPTARG ;;
	r)	opt_ret=1 ;;
	s)	opt_stack=1 ;;
	h|?)	usage ;;
	esac
done
shift $(( OPTIND - 1 ))
(( $# )) || usage
target=$1; shift
fetchargs="$*"

### work out the probe location
case $target in
0x*|ffff*)
	if (( opt_off )); then die "ERROR: -o needs a symbol, not an address"; fi
	hex=${target#0x}
	event=at_$hex
	;;
*)
	hex=
	event=$target
	;;
esac

cd $tracing || die "ERROR: accessing tracing. Root user? Kernel has FTRACE?"
[[ -e $flock ]] && die "ERROR: ftrace may be in use by PID $(cat $flock) $flock"
echo $$ > $flock || die "ERROR: unable to write $flock."

if [[ -z "$hex" ]]; then
	if (( opt_ret )); then
		echo "r:kaddr/$event $target $fetchargs" >> kprobe_events
	else
		echo "p:kaddr/$event ${target}+${offset} $fetchargs" >> kprobe_events
	fi
elif (( opt_ret && opt_many )); then
	echo "r64:kaddr/$event 0x$hex $fetchargs" >> kprobe_events
elif (( opt_ret )); then
	echo "r:kaddr/$event 0x${hex} $fetchargs" >> kprobe_events
else
	echo "p:kaddr/$event 0x$hex $fetchargs" >> kprobe_events
fi || die "ERROR: adding the probe. Address not on an instruction boundary?"

if [[ -z "$hex" ]]; then
	n=$(grep -c " $target\$" /proc/kallsyms)
	(( n > 1 )) && warn "warning: $n symbols named $target; probing the first"
	(( opt_off )) && warn "$target starts at 0x$(resolve "$target"), probing +$offset"
fi

(( opt_stack )) && echo stacktrace > trace_options
echo 1 > events/kaddr/$event/enable || die "ERROR: enabling $event."

if [[ -n "$duration" ]]; then
	echo "Tracing kaddr/$event for $duration seconds (buffered)..."
	sleep $duration
	cat trace
else
	echo "Tracing kaddr/$event. Ctrl-C to end."
	cat trace_pipe
fi
end
