#!/bin/sh
# retsnoop-lite -- show which calls on the open path fail, and with what.
# POSIX sh so it runs from the initramfs rescue shell too.
#
#   retsnoop-lite [seconds]
#
# Kernel probes are by name, except the ext4 helper that got duplicated by
# the compiler: its second copy has to be given by address (taken from the
# build's map at packaging time and substituted into PART_ADDR below).

secs=${1:-10}
T=/sys/kernel/tracing
test -d "$T/events" || T=/sys/kernel/debug/tracing

fn=do_filp_open
inner=path_openat
mod_fn=ext4:ext4_lookup
PART_ADDR=ffffffff8143b7c0
shell=/bin/sh
rl_off=0x4a0

k() { echo "$1" >> "$T/kprobe_events"; }
u() { echo "$1" >> "$T/uprobe_events"; }

k "r:rs/open_ret $fn ret=\$retval:s64"
k "r8:rs/inner_ret $inner ret=\$retval:s64"
k "p:rs/lookup $mod_fn dir=%di:x64"
k "r:rs/lookup_ret $mod_fn"
k "r16:rs/part_ret 0x$PART_ADDR ret=\$retval:s64"
k "p:rs/part 0x${PART_ADDR}"
u "p:rs/sh_line $shell:$rl_off"
echo "r:rs/sh_line_ret $shell:0x4a0 ret=\$retval" >> "$T/uprobe_events"

for f in "$T"/events/rs/*/filter; do
	case $f in
	*_ret/filter) echo 'ret < 0' > "$f" ;;
	esac
done
echo 1 > "$T/events/rs/enable"
echo "tracing failing opens for ${secs}s"
sleep "$secs"
echo 0 > "$T/events/rs/enable"

sed -n 's/.*rs\/\([a-z_]*\): .*ret=\(-[0-9]*\).*/\1 \2/p' "$T/trace" |
	sort | uniq -c | sort -rn | head -n 20

for ev in open_ret inner_ret lookup lookup_ret part_ret part; do
	k "-:rs/$ev"
done
u "-:rs/sh_line"
u "-:rs/sh_line_ret"
