#!/bin/sh
# trace_open.sh: probe openat and read by address (addresses from System.map-6.1.0-56-amd64)
set -e
T=/sys/kernel/tracing
READ_ADDR=0xffffffff813669e0

echo 'p:kp/openat 0xffffffff81363fb1 dfd=%di filename=+0(%si):string' >> $T/kprobe_events
echo "r:kp/read_ret $READ_ADDR \$retval" >> $T/kprobe_events
echo 'p:kp/clone kernel_clone' >> $T/kprobe_events
echo 1 > $T/events/kp/enable
sleep 5
cat $T/trace
echo 0 > $T/events/kp/enable
echo '-:kp/openat' >> $T/kprobe_events
echo '-:kp/read_ret' >> $T/kprobe_events
