#!/usr/bin/env bash
#
# blkprobe.sh - block layer request probes for the storage regression rig.
#
# The rig runs one pinned kernel build (nokaslr), and a few of the probe sites
# sit in the middle of blk-mq functions, so they are given as addresses.
#
set -eu

T="${TRACEFS:-/sys/kernel/tracing}"
: "${SECONDS_TO_RUN:=30}"

DEV_ADDR=0xffffffff816f3300
QUEUE_FN=blk_mq_start_request

start_probes() {
	local plug=0xffffffff816e2a58

	echo p:blk/issue 0xffffffff816f0a10 >> "$T"/kprobe_events
	echo -n 'p:blk/complete 0xffffffff816f2b44 rq=%di:x64' >>"${T}/kprobe_events"
	echo "r:blk/merge_ret 0xffffffff816e9c80 merged=\$retval:u8" | sudo tee -a $T/kprobe_events >/dev/null
	echo 'r10:blk/rq_done 0xffffffff816f2c10' >> "$T/kprobe_events"
	echo "p ${DEV_ADDR}" >> "$T/kprobe_events"
	echo "p:blk/plug $plug" >> "$T/kprobe_events"
	echo "p 0xffffffff816f0d84" >> "$T/kprobe_events"

	# by name: these are unique symbols
	echo "p:blk/rq $QUEUE_FN rq=%di:x64" >> "$T/kprobe_events"
	echo 'r:blk/rq_ret blk_mq_start_request $retval' >> "$T/kprobe_events"
	echo "p:blk/nvme nvme:nvme_queue_rq" >> "$T/kprobe_events"
	echo 'p submit_bio' >> "$T/kprobe_events"
	echo "p:blk/bio_end bio_endio+0x1c bio=%di:x64" >> "$T/kprobe_events"

	# fio itself: when it submits
	echo 'p:blk/fio_submit /usr/bin/fio:0x5e2c0' >> "$T/uprobe_events"
}

stop_probes() {
	echo 0 > "$T/events/enable" || true
	for e in issue complete merge_ret rq_done plug rq rq_ret nvme bio_end; do
		echo "-:blk/$e" >> "$T/kprobe_events"
	done
	echo "-:kprobes/p_0xffffffff816f3300" >> "$T/kprobe_events"
	echo '-:kprobes/p_0xffffffff816f0d84' >> "$T/kprobe_events"
	echo '-:kprobes/p_submit_bio_0' >> "$T/kprobe_events"
	echo '-:blk/fio_submit' >> "$T/uprobe_events"
}

trap stop_probes EXIT

start_probes
echo 1 > "$T/events/blk/enable"
echo 1 > "$T/events/kprobes/enable"
echo "collecting for ${SECONDS_TO_RUN}s; issue site is 0xffffffff816f0a10"
sleep "$SECONDS_TO_RUN"
grep -c 'blk/issue\|p_0x' "$T/trace" || true
