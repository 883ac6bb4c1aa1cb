#!/bin/sh
# clean_events.sh: probes by symbol only; nothing to report.
cd /sys/kernel/tracing
echo 'p:ce/open do_sys_openat2+0x11 dfd=%di' >> kprobe_events
echo 'r:ce/read vfs_read $retval' >> kprobe_events
echo '-:ce/open' >> kprobe_events
# p:ce/old 0xffffffff81363fb1 was the address before
