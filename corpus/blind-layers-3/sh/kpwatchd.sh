#!/bin/bash
# kpwatchd -- started by kpwatch.service:
#
#   [Service]
#   Type=notify
#   NotifyAccess=all
#   ExecStart=/usr/local/sbin/kpwatchd
#   Restart=on-failure
#
# Keeps the retransmit/reset probes installed (a module reload or another
# tool's cleanup can remove them) and counts hits per minute into the journal.

TRACING=/sys/kernel/tracing
GRP=kpwatch
FUNC=tcp_retransmit_skb
RESET_FN=tcp_send_active_reset
PERIOD=60

# The entry stub of the early-boot path we also watch, and its body past the
# prologue; only valid with the vendor kernel built with our config and
# booted with nokaslr.
ADDR=0xffffffff81c0ffe0
BODY=0xffffffff81c0fff1
ARGS="sk=%di:x64"

log() { echo "<6>kpwatchd: $*"; }

# Where the kernel text starts, to sanity check ADDR against it.
STEXT=0x$(awk '$3 == "_stext" { print $1 }' /proc/kallsyms)

install_probes() {
	{
		echo "p:$GRP/retrans $FUNC $ARGS"
		echo "r:$GRP/retrans_ret $FUNC ret=\$retval"
		echo "p:$GRP/reset ${RESET_FN}"
		echo "p:$GRP/stub $ADDR $ARGS"
		echo "r:$GRP/stub_ret ${ADDR}"
		echo "p:$GRP/stub_body $BODY"
		echo "p:$GRP/text_start ${STEXT}"
	} >> $TRACING/kprobe_events 2>/dev/null
	echo 1 > $TRACING/events/$GRP/enable
}

probes_present() {
	[ -d $TRACING/events/$GRP/retrans ] && [ -d $TRACING/events/$GRP/stub ]
}

remove_probes() {
	echo 0 > $TRACING/events/$GRP/enable 2>/dev/null
	for ev in retrans retrans_ret reset stub stub_ret stub_body text_start; do
		echo "-:$GRP/$ev" >> $TRACING/kprobe_events 2>/dev/null
	done
}

count_hits() {
	local n
	n=$(grep -c " $GRP/$1:" $TRACING/trace 2>/dev/null)
	echo "${n:-0}"
}

trap 'remove_probes; systemd-notify STOPPING=1; exit 0' TERM INT

if [ "$STEXT" = "0x0000000000000000" ]; then
	log "kernel addresses hidden; is kptr_restrict set? /proc/kallsyms needs root"
	exit 1
fi
if (( ADDR < STEXT )); then
	log "ADDR $ADDR below _stext $STEXT: wrong kernel?"
	exit 1
fi

remove_probes
install_probes || exit 1
systemd-notify --ready --status="watching $FUNC, $RESET_FN and stub at $ADDR"

while :; do
	sleep $PERIOD &
	wait $!
	if ! probes_present; then
		log "probes vanished, reinstalling"
		remove_probes
		install_probes
	fi
	log "retrans=$(count_hits retrans) resets=$(count_hits reset) stub=$(count_hits stub)"
	echo > $TRACING/trace
done
