#!/bin/sh
# fsync_lat - trace vfs_fsync_range entry/return through kprobe events.
#
# On hardened hosts kptr_restrict makes the live symbol table print zeros;
# there the installed System.map is used and the probe is placed by
# address (boot with nokaslr, otherwise the map does not match).
#
# usage: fsync_lat [-s] [seconds]     -s: place probes by symbol only

T=/sys/kernel/tracing
[ -d "$T/events" ] || T=/sys/kernel/debug/tracing
BYSYM=0
if [ "$1" = "-s" ]; then
	BYSYM=1
	shift
fi
SECS=${1:-5}

if [ $BYSYM -eq 1 ]; then
	echo 'p:fsync/range vfs_fsync_range datasync=%cx' > $T/kprobe_events
	echo 'r:fsync/range_ret vfs_fsync_range ret=$retval' >> $T/kprobe_events
else
	restrict=$(cat /proc/sys/kernel/kptr_restrict)
	if [ "$restrict" != 0 ]; then
		addr=$(grep ' [tT] vfs_fsync_range$' /boot/System.map-$(uname -r) | cut -d' ' -f1)
	else
		addr=$(awk '$3 == "vfs_fsync_range" { print $1 }' /proc/kallsyms)
	fi
	if [ -z "$addr" ]; then
		echo "fsync_lat: vfs_fsync_range not in System.map or kallsyms" >&2
		exit 1
	fi
	printf 'p:fsync/range 0x%s datasync=%%cx\n' "$addr" > $T/kprobe_events
	echo "r:fsync/range_ret 0x$addr ret=\$retval" | tee -a $T/kprobe_events >/dev/null
fi

echo 1 > $T/events/fsync/enable
sleep "$SECS"
echo 0 > $T/events/fsync/enable

awk '/fsync\/range:/     { split($4, a, ":"); t0 = a[1] }
     /fsync\/range_ret:/ { split($4, a, ":"); if (t0) printf "%.6f\n", a[1] - t0 }' \
	$T/trace | sort -n | tail -n 5

echo '-:fsync/range' >> $T/kprobe_events
echo '-:fsync/range_ret' >> $T/kprobe_events
