#!/bin/sh
# oneshot-probe.sh -- did the slow path of the 6.1.0-13 build's
# __alloc_pages ever run during the reproducer?  Addresses were read off
# objdump -d of that exact vmlinux, booted with nokaslr.  Throwaway.
set -e

if [ "$(id -u)" -ne 0 ]; then
	echo "oneshot-probe: needs root" >&2
	exit 1
fi

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
cd $T

echo 'p:oneshot/slow 0xffffffff8123a4b0' > kprobe_events
echo 'p:oneshot/retry 0xffffffff8123a4c7 order=%si:u32 gfp=%di:x32' >> kprobe_events
echo 'p 0xffffffff8123a51e' >> kprobe_events
echo 'p:oneshot/entry __alloc_pages order=%si:u32' >> kprobe_events
echo 'p:oneshot/mid __alloc_pages+0x1a' >> kprobe_events
echo 'r:oneshot/exit __alloc_pages page=$retval' >> kprobe_events

echo 1 > events/oneshot/enable
echo 1 > events/kprobes/enable
echo > trace

"${1:-./repro}" || echo "reproducer exited with $?"

echo 0 > events/kprobes/enable
echo 0 > events/oneshot/enable
grep -c 'oneshot/slow:' trace || true
grep -c 'oneshot/retry:' trace || true
grep -v '^#' trace | tail -n 30

echo '-:oneshot/slow 0xffffffff8123a4b0' >> kprobe_events
echo '-:oneshot/retry' >> kprobe_events
echo '-:kprobes/p_0xffffffff8123a51e' >> kprobe_events 2>/dev/null || true
echo '-:oneshot/entry' >> kprobe_events
echo '-:oneshot/mid' >> kprobe_events
echo '-:oneshot/exit' >> kprobe_events
