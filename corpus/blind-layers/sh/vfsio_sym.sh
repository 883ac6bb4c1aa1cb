#!/bin/bash
# vfsio_sym - count VFS read/write calls per second using kprobe events
# placed by symbol name only.  Names are checked against the traceable
# function list first, so typos fail early instead of at write time.
#
# usage: vfsio_sym [seconds]

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
SECS=${1:-5}
FUNC=vfs_read
WFUNC=vfs_write
OFF=0x10

for f in $FUNC $WFUNC; do
	if ! grep -qw "^$f" $T/available_filter_functions; then
		echo "vfsio_sym: $f is not traceable (see /proc/kallsyms)" >&2
		exit 1
	fi
done

if grep -q '^p:vfsio/' $T/kprobe_events; then
	echo "vfsio_sym: stale vfsio events, removing" >&2
	echo '-:vfsio/rd' >> $T/kprobe_events
	echo '-:vfsio/rd_ret' >> $T/kprobe_events
	echo '-:vfsio/wr' >> $T/kprobe_events
	echo '-:vfsio/wr_body' >> $T/kprobe_events
fi

echo "p:vfsio/rd $FUNC count=%dx" >> $T/kprobe_events
echo "r:vfsio/rd_ret $FUNC ret=\$retval" >> $T/kprobe_events
echo "p:vfsio/wr $WFUNC" >> $T/kprobe_events
echo "p:vfsio/wr_body $WFUNC+$OFF" >> $T/kprobe_events
echo 'p:vfsio/sync_off vfs_fsync_range+0x2d' >> $T/kprobe_events
echo 'p:vfsio/xfs_wr xfs:xfs_file_write_iter' >> $T/kprobe_events 2>/dev/null ||
	echo "vfsio_sym: xfs not loaded, skipping" >&2
echo 'p:vfsio/uread /usr/bin/cat:0x2f10' >> $T/uprobe_events

echo 1 > $T/events/vfsio/enable
for i in $(seq "$SECS"); do
	sleep 1
	rd=$(grep -c 'vfsio/rd:' $T/trace)
	wr=$(grep -c 'vfsio/wr:' $T/trace)
	printf '%3d  reads %-8d writes %-8d\n' "$i" "$rd" "$wr"
	echo > $T/trace
done
echo 0 > $T/events/vfsio/enable

echo '-:vfsio/rd' >> $T/kprobe_events
echo '-:vfsio/rd_ret' >> $T/kprobe_events
echo '-:vfsio/wr' >> $T/kprobe_events
echo '-:vfsio/wr_body' >> $T/kprobe_events
echo '-:vfsio/sync_off' >> $T/kprobe_events
echo '-:vfsio/xfs_wr' >> $T/kprobe_events 2>/dev/null
echo '-:vfsio/uread' >> $T/uprobe_events
