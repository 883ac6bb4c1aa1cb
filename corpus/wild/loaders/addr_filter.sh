#!/bin/sh
# written for probe-migrator's corpus in the style of an ftrace how-to
# script: kernel addresses from the symbol table are used as DATA - an event
# filter on call_site and a memory fetch argument - while the probes
# themselves are placed by name.

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
cd $T || exit 1

FN=kmem_cache_free
CALLER=do_unlinkat

# address of the caller, to keep only frees issued from it
CADDR=$(awk -v s="$CALLER" '$3 == s { print $1; exit }' /proc/kallsyms)
echo "call_site.function == 0x$CADDR" > events/kmem/$FN/filter
echo 1 > events/kmem/$FN/enable

# read a global through its address at every hit of a named probe
JIFF=$(grep -w ' D jiffies_64' /proc/kallsyms | cut -d' ' -f1)
echo "p:memfetch/unlink $CALLER j=@0x$JIFF:u64" > kprobe_events
echo "r:memfetch/unlink_ret $CALLER ret=\$retval" >> kprobe_events
echo 1 > events/memfetch/enable

sleep 1
head -n 20 trace

echo 0 > events/memfetch/enable
echo 0 > events/kmem/$FN/enable
echo 0 > events/kmem/$FN/filter
echo > kprobe_events
