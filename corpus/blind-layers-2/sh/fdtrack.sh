#!/bin/bash
#
# fdtrack.sh - count file descriptor opens/closes per process.
#
# Resolves the handful of VFS entry points straight from the symbol table and
# defines kprobe events on the resolved addresses, so that the events keep
# working when a duplicate static symbol of the same name shows up in a module.
#

TRACEFS=/sys/kernel/tracing
GROUP=fdtrack
DURATION=${DURATION:-5}

sym_addr() {
	awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms
}

if [ "$(sym_addr do_sys_openat2)" = "0000000000000000" ]; then
	echo "symbol addresses are hidden; run as root or lower kptr_restrict" >&2
	echo "(fdtrack reads /proc/kallsyms to find do_sys_openat2)" >&2
	exit 1
fi

OPEN_ADDR=0x$(sym_addr do_sys_openat2)
CLOSE_ADDR=$(sym_addr close_fd)
FUNC=do_unlinkat

echo "p:$GROUP/open $OPEN_ADDR dfd=%di:s32 flags=+0(%dx):u64" >> $TRACEFS/kprobe_events
echo "p:$GROUP/close 0x$CLOSE_ADDR fd=%di:s32" >> $TRACEFS/kprobe_events
echo "p:$GROUP/unlink $FUNC dfd=%di:s32" >> $TRACEFS/kprobe_events
echo "r:$GROUP/open_ret do_sys_openat2 fd=\$retval:s32" >> $TRACEFS/kprobe_events

# read/write paths: every text symbol that matches
grep -E ' [tT] vfs_(read|write)$' /proc/kallsyms |
while read -r addr type name; do
	echo "p:$GROUP/${name} 0x${addr} file=%di:x64" >> $TRACEFS/kprobe_events
done

# sync paths by name
for f in vfs_fsync_range vfs_fallocate; do
	echo "p:$GROUP/$f $f" >> $TRACEFS/kprobe_events
done

echo 1 > $TRACEFS/events/$GROUP/enable
sleep "$DURATION"
echo 0 > $TRACEFS/events/$GROUP/enable

awk '$5 ~ /^(open|close|unlink|vfs_read|vfs_write):/ { n[$1 " " $5]++ }
     END { for (k in n) printf "%8d %s\n", n[k], k }' $TRACEFS/trace | sort -rn | head

for ev in open close unlink open_ret vfs_read vfs_write vfs_fsync_range vfs_fallocate; do
	echo "-:$GROUP/$ev" >> $TRACEFS/kprobe_events
done
