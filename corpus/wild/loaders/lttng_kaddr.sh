#!/bin/bash
# written for probe-migrator's corpus in the style of a tracer's CLI
# regression test: the same kernel function is instrumented through lttng,
# perf probe and bpftrace, once by name and once by an address read from
# the running kernel's symbol table.
set -eu

SESSION=kaddr-$$
FUNC=do_sys_openat2

ksym() {
	awk -v s="$1" '$3 == s && $2 ~ /^[tT]$/ { print $1; exit }' /proc/kallsyms
}

FADDR=$(ksym "$FUNC")
[ -n "$FADDR" ] || { echo "no $FUNC in kallsyms, skipping" >&2; exit 77; }

lttng create "$SESSION" --output="/tmp/$SESSION" >/dev/null

# by name and by name+offset: fine
lttng enable-event --kernel --probe="$FUNC" open_entry
lttng enable-event --kernel --probe="${FUNC}+0x8" open_plus8
lttng enable-event --kernel --function=vfs_read vfs_read_fn

# by address
lttng enable-event --kernel --probe="0x${FADDR}" open_raw
lttng add-trigger --condition event-rule-matches --type=kernel:kprobe \
	--location=0x$FADDR --event-name=open_trig --action notify

lttng start
cat /etc/hostname >/dev/null
lttng stop
lttng destroy "$SESSION" >/dev/null

# perf probe: symbol, then raw address
perf probe --quiet --add "$FUNC"
perf probe --quiet --add "0x${FADDR}"
perf probe --quiet --del 'probe:*'

# bpftrace: name+offset is checked; an address needs --unsafe
timeout 2 bpftrace -e "kprobe:${FUNC}+0x4 { @n = count(); }" || true
timeout 2 bpftrace --unsafe -e "kprobe:0x${FADDR} { @n = count(); }" || true

echo "address of $FUNC was 0x$FADDR"
