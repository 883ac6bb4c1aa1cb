#!/bin/bash
# ksym_probe.bash FUNC: look FUNC up in /proc/kallsyms and probe its address.
func=${1:-vfs_read}
addr=$(awk -v f="$func" '$3 == f { print $1 }' /proc/kallsyms)
[ -n "$addr" ] || { echo "no $func in /proc/kallsyms" >&2; exit 1; }
cd /sys/kernel/tracing
printf 'p:ks/%s 0x%s\n' "$func" "$addr" >> kprobe_events
cat <<EOF >> kprobe_events
p:ks/unlink 0xffffffff8137dd60
r:ks/unlink_ret do_unlinkat
EOF
echo "p:ks/named $func" >> kprobe_events
