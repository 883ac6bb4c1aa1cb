#!/bin/bash
#
# schedprobe.sh - wakeup-to-run probes on scheduler internals.
#
# Scheduler functions are partly static and some appear twice in the symbol
# table, so this script pins each probe to an address: the running kernel's
# symbol table first, the installed System.map as a fallback.
#
# USAGE: schedprobe.sh [-d seconds]
#

tracing=/sys/kernel/debug/tracing
duration=10
while getopts d:h opt; do
	case $opt in
	d)	duration=$OPTARG ;;
	h|?)	echo "USAGE: schedprobe.sh [-d seconds]" >&2; exit 1 ;;
	esac
done

map_sym() {
	grep " $1\$" /boot/System.map-$(uname -r) | cut -d' ' -f1
}

setup_addrs() {
	WAKE=0x$(map_sym try_to_wake_up)
	MIGRATE_FN=set_task_cpu
}

SCHED_ADDR=$(awk '$3 == "__schedule" { print "0x" $1; exit }' /proc/kallsyms)
if [ -z "$SCHED_ADDR" ] || [ "$SCHED_ADDR" = "0x0000000000000000" ]; then
	echo "schedprobe: __schedule not readable in /proc/kallsyms (kptr_restrict?)" >&2
	exit 1
fi
setup_addrs

cd $tracing || exit 1

echo "p:schedp/sched $SCHED_ADDR preempt=%di:u8" >> kprobe_events
echo "p:schedp/wake ${WAKE} p=%di:x64 state=%si:u32" >> kprobe_events
echo 'r:schedp/wake_ret 0xffffffff810d8a90 ret=$retval:s32' >> kprobe_events
echo "p:schedp/migrate $MIGRATE_FN p=%di:x64 cpu=%si:u32" >> kprobe_events
echo 'p:schedp/fork kernel_clone' >> kprobe_events
echo 'p:schedp/kvm_run kvm:kvm_arch_vcpu_ioctl_run' >> kprobe_events

echo 1 > events/schedp/enable
sleep $duration
echo 0 > events/schedp/enable

echo "sched events by CPU:"
awk '/schedp\/sched:/ { print $2 }' trace | sort | uniq -c

for ev in sched wake wake_ret migrate fork kvm_run; do
	echo "-:schedp/$ev" >> kprobe_events
done
echo "note: addresses came from /proc/kallsyms and /boot/System.map-$(uname -r)"
