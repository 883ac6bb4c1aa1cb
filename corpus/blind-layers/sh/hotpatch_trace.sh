#!/bin/sh
# hotpatch_trace - watch the patched call sites in tcp_ack() on the lab
# kernels.  The addresses below are for 6.1.0-18-amd64 with our config,
# booted with nokaslr; regenerate them with tools/ksites after upgrades.
#
# usage: hotpatch_trace [seconds]

set -e

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
SECS=${1:-10}

# second call site of tcp_ack_update_window, found with objdump
SITE=0xffffffff81b3c9e4

if [ "$(id -u)" -ne 0 ]; then
	echo "hotpatch_trace: need root" >&2
	exit 1
fi

cleanup() {
	echo 0 > $T/events/hotpatch/enable 2>/dev/null || true
	echo 0 > $T/events/kprobes/enable 2>/dev/null || true
	echo '-:hotpatch/ack_entry' >> $T/kprobe_events
	echo '-:hotpatch/ack_site' >> $T/kprobe_events
	echo '-:hotpatch/ack_site2' >> $T/kprobe_events
	echo '-:hotpatch/ack_ret' >> $T/kprobe_events
	echo '-:hotpatch/sack_a' >> $T/kprobe_events
	echo '-:hotpatch/sack_b' >> $T/kprobe_events
	echo '-:hotpatch/sack_ret' >> $T/kprobe_events
	echo '-:kprobes/p_0xffffffff81b3d020_0' >> $T/kprobe_events
}
trap cleanup EXIT INT TERM

# entry by name: always safe
echo 'p:hotpatch/ack_entry tcp_ack flag=%dx' >> $T/kprobe_events

# the patched sites themselves have no symbol
echo 'p:hotpatch/ack_site 0xffffffff81b3c9e4 flag=%dx' >> $T/kprobe_events
echo "p:hotpatch/ack_site2 $SITE" >> $T/kprobe_events
echo "r:hotpatch/ack_ret 0xffffffff81b3c5f0 ret=\$retval" >> $T/kprobe_events

cat >> $T/kprobe_events <<'EOF'
p:hotpatch/sack_a 0xffffffff81b3a100 skb=%si
p:hotpatch/sack_b tcp_sacktag_write_queue+0x8c
r:hotpatch/sack_ret 0xffffffff81b3a100
EOF

# unnamed probe on the fast-path check (event becomes kprobes/p_0x..._0)
echo 'p 0xffffffff81b3d020' >> $T/kprobe_events

echo 1 > $T/events/hotpatch/enable
echo 1 > $T/events/kprobes/enable
echo "tracing for $SECS seconds..."
timeout "$SECS" cat $T/trace_pipe || true
