#!/usr/bin/env bash
# kprobe-harness.sh -- run by `make check-kprobes` (see tests/Makefile):
#
#   check-kprobes: $(TEST_BINS)
#   	TRACEFS=$(TRACEFS) KVER=$(KVER) ./kprobe-harness.sh $(CASES)
#
# Each case puts one probe on a function, runs its workload binary and checks
# that the probe fired at least once.  Exit status is the number of failures.

set -u
TRACEFS=${TRACEFS:-/sys/kernel/tracing}
KVER=${KVER:-$(uname -r)}
GRP=harness
fails=0

log()  { printf '[%s] %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; fails=$(( fails + 1 )); }

kev() { echo "$1" >> "$TRACEFS/kprobe_events"; }

# map_addr SYM -> decimal start address from the installed System.map
map_addr() {
	local hex
	hex=$(awk -v s="$1" '$3 == s { print $1; exit }' /boot/System.map-$(uname -r))
	[[ -n $hex ]] && echo $(( 16#$hex ))
}

add_at() {	# EVENT ADDR(decimal)
	printf 'p:%s/%s 0x%x\n' "$GRP" "$1" "$2" >> "$TRACEFS/kprobe_events"
}

add_ret_at() {	# EVENT ADDR(decimal)
	printf 'r:%s/%s %#lx\n' "$GRP" "$1" "$2" >> "$TRACEFS/kprobe_events"
}

add_sym() {	# EVENT SYMBOL [ARGS...]
	local ev=$1 sym=$2; shift 2
	kev "p:$GRP/$ev $sym $*"
}

hits() {
	grep -c " $GRP/$1:" "$TRACEFS/trace"
}

run_case() {
	local name=$1 ev=$2 bin=./bin/$1
	echo 1 > "$TRACEFS/events/$GRP/enable"
	echo > "$TRACEFS/trace"
	"$bin" >/dev/null 2>&1 || fail "$name: workload exited $?"
	echo 0 > "$TRACEFS/events/$GRP/enable"
	if (( $(hits "$ev") == 0 )); then fail "$name: $GRP/$ev never fired"; else log "ok: $name"; fi
}

cleanup() {
	echo 0 > "$TRACEFS/events/$GRP/enable" 2>/dev/null
	grep "^[pr]:$GRP/" "$TRACEFS/kprobe_events" | while read -r def _; do
		kev "-:${def#*:}"
	done
}
trap cleanup EXIT

# --- cases -------------------------------------------------------------
kev 'p:harness/read_sym vfs_read count=%dx:u64'
kev 'r:harness/read_ret vfs_read ret=$retval'
run_case read read_sym
run_case read read_ret

kaddr=$(awk '$3 == "vfs_write" { print "0x" $1; exit }' /proc/kallsyms)
kev "p:harness/write_addr $kaddr"
kev "r:harness/write_ret ${kaddr} ret=\$retval"
run_case write write_addr
run_case write write_ret

if a=$(map_addr do_sys_openat2); then
	add_at open_map "$a"
	add_ret_at open_ret "$a"
	run_case open open_map
	run_case open open_ret
else
	log "skip: no System.map for $KVER"
fi

add_sym fsync_sym vfs_fsync_range
add_sym fsync_mod 'ext4:ext4_sync_file'
run_case fsync fsync_sym
run_case fsync fsync_mod

log "kallsyms-based cases need kptr_restrict=0 (see /proc/kallsyms)"
exit $fails
