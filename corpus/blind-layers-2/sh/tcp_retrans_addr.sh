#!/bin/bash
#
# tcp_retrans_addr.sh - watch a retransmit site inside tcp_retransmit_skb().
#
# The site we care about is an inlined block with no symbol of its own, so the
# lab box (booted with nokaslr) gets probed at fixed addresses taken from its
# System.map.  The other events are plain symbol probes for context.
#
# USAGE: tcp_retrans_addr.sh [seconds]
#

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
secs=${1:-10}
GRP=tcpr

die() {
	echo >&2 "$@"
	exit 1
}

cleanup() {
	echo 0 > $T/events/$GRP/enable 2>/dev/null
	echo "-:$GRP/retrans_site" >> $T/kprobe_events
	echo "-:$GRP/retrans_ret" >> $T/kprobe_events
	echo "-:$GRP/sendmsg" >> $T/kprobe_events
	echo "-:$GRP/ack" >> $T/kprobe_events
	echo '-:tcpr/xmit_site' >> $T/kprobe_events
	echo > $T/trace
}

[ "$(id -u)" -eq 0 ] || die "must be root"
[ -w $T/kprobe_events ] || die "no kprobe_events under $T (CONFIG_KPROBE_EVENTS?)"

trap 'cleanup; exit' INT TERM

# hard-coded sites (System.map of 6.1.0-56-amd64, nokaslr)
echo "site: tcp_retransmit_skb+0x136 = 0xffffffff81b2c4d6"
echo 'p:tcpr/retrans_site 0xffffffff81b2c4d6 sk=%di:x64 segs=%si:s32' >> $T/kprobe_events || die "site"
echo "r:tcpr/retrans_ret 0xffffffff81b2c3a0 ret=\$retval:s32" >> "$T/kprobe_events"
echo p:tcpr/xmit_site 0xffffffff81b2e010 >> $T/kprobe_events

# context, by name
echo 'p:tcpr/sendmsg tcp_sendmsg size=%dx:u64' >> $T/kprobe_events
echo 'p:tcpr/ack tcp_ack+0x2e flag=%dx:u32' >> $T/kprobe_events

echo 'sk != 0' > $T/events/tcpr/retrans_site/filter
echo 1 > $T/events/$GRP/enable || die "enable"

echo "Tracing for $secs seconds (0xffffffff81b2c4d6 is the retransmit site)..."
sleep $secs
cat $T/trace | grep -v '^#' | awk '{ print $5, $6, $7 }' | sort | uniq -c | sort -rn | head -20

cleanup
