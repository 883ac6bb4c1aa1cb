#!/bin/sh
# irq_lat_probe.sh - time the i8042 interrupt path on the two lab kernels.
#
# The handler body is probed at fixed offsets that were read off objdump once
# per kernel build; the kernels are booted with nokaslr so the numbers hold.
# Run as root.  Ctrl-C stops the trace and removes the events.

TRACEFS=/sys/kernel/tracing
[ -d $TRACEFS/events ] || TRACEFS=/sys/kernel/debug/tracing

case "$(uname -r)" in
6.1.0-*)
	ENTRY=0xffffffff81a3b2c0
	EXIT_SITE=0xffffffff81a3b35e
	;;
6.12.*)
	ENTRY=0xffffffff81b01f40
	EXIT_SITE=0xffffffff81b01fd9
	;;
*)
	echo "irq_lat_probe: no addresses recorded for $(uname -r)" >&2
	exit 1
	;;
esac

stop() {
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $TRACEFS/events/irqlat/enable
	for e in entry exit exit_alt ret i8042_a i8042_b serio_ret; do
		echo "-:irqlat/$e" >> $TRACEFS/kprobe_events
	done
	echo '-:irqlat/evdev_read' >> $TRACEFS/uprobe_events
	exit 0
}
trap stop INT

echo "p:irqlat/entry $ENTRY irq=%di:u32" >> $TRACEFS/kprobe_events
echo "p:irqlat/exit ${EXIT_SITE}" | tee -a $TRACEFS/kprobe_events > /dev/null
printf 'r10:irqlat/ret 0x%x ret=$retval\n' "$((ENTRY))" >> $TRACEFS/kprobe_events
printf 'p:irqlat/exit_alt %#x\n' "$((EXIT_SITE + 4))" >> $TRACEFS/kprobe_events

# the serio side, plus a second pair of sites in the same handler
cat >> $TRACEFS/kprobe_events <<EOF
p:irqlat/i8042_a 0xffffffff81a3b2f7 str=%si:u8
p:irqlat/i8042_b ${EXIT_SITE}
r:irqlat/serio_ret serio_interrupt \$retval
EOF

# user side: when evtest reads the event
echo 'p:irqlat/evdev_read /usr/bin/evtest:0x2a90' >> $TRACEFS/uprobe_events

echo 'irq == 1' > $TRACEFS/events/irqlat/entry/filter
echo 1 > $TRACEFS/events/irqlat/enable
echo 1 > $TRACEFS/tracing_on
echo "tracing i8042 at $ENTRY, Ctrl-C to stop"
cat $TRACEFS/trace_pipe
