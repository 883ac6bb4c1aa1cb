#!/usr/bin/env bash
# blkreq_trace - block request issue/complete events plus the bash
# readline uprobe used to mark where the operator typed a command.
# Runs unprivileged through sudo tee; only the writes need root.
#
# usage: blkreq_trace [-a] [seconds]    -a: place block probes by address

TR=/sys/kernel/tracing
sudo test -d "$TR/events" || TR=/sys/kernel/debug/tracing
BYADDR=0
if [[ ${1:-} == -a ]]; then
	BYADDR=1
	shift
fi
SECS=${1:-10}

# marker on the operator's shell
echo 'p:blkreq/bash_rl /bin/bash:0x4a0' | sudo tee -a $TR/uprobe_events >/dev/null
echo 'r:blkreq/bash_rl_ret /bin/bash:readline' | sudo tee -a $TR/uprobe_events >/dev/null

if (( BYADDR )); then
	while read -r a t s rest; do
		case $s in
		blk_mq_start_request) START=0x$a ;;
		blk_mq_end_request) END=0x$a ;;
		esac
	done < /proc/kallsyms
	if [[ -z $START || -z $END ]]; then
		echo "blkreq_trace: block symbols missing" >&2
		exit 1
	fi
	echo "p:blkreq/issue $START rq=%di" | sudo tee -a $TR/kprobe_events >/dev/null
	echo "p:blkreq/done $END rq=%di err=%si" | sudo tee -a $TR/kprobe_events >/dev/null
else
	echo 'p:blkreq/issue blk_mq_start_request rq=%di' | sudo tee -a $TR/kprobe_events >/dev/null
	echo 'p:blkreq/done blk_mq_end_request+0x0 rq=%di err=%si' | sudo tee -a $TR/kprobe_events >/dev/null
fi
echo 'p:blkreq/plug blk_start_plug' | sudo tee -a $TR/kprobe_events >/dev/null

echo 1 | sudo tee $TR/events/blkreq/enable >/dev/null
sleep "$SECS"
echo 0 | sudo tee $TR/events/blkreq/enable >/dev/null
sudo cat $TR/trace | grep -E 'blkreq/(issue|done|bash_rl)' | head -n 40

for ev in issue done plug; do
	echo "-:blkreq/$ev" | sudo tee -a $TR/kprobe_events >/dev/null
done
echo '-:blkreq/bash_rl' | sudo tee -a $TR/uprobe_events >/dev/null
echo '-:blkreq/bash_rl_ret' | sudo tee -a $TR/uprobe_events >/dev/null
