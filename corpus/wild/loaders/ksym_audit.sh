#!/bin/sh
# written for probe-migrator's corpus in the style of a host-integrity
# checker (rootkit hunter): it greps the kernel symbol table for names that
# known LKM rootkits register and compares the syscall table's address in
# the live table with the installed map.  Nothing is probed.

KSYMS=""
if [ -r /proc/kallsyms ]; then
	KSYMS=/proc/kallsyms
elif [ -r "/boot/System.map-$(uname -r)" ]; then
	KSYMS="/boot/System.map-$(uname -r)"
fi

warn() { echo "WARNING: $*"; FOUND=1; }
FOUND=0

if [ -z "$KSYMS" ]; then
	echo "no kernel symbol table available, skipping LKM checks"
	exit 0
fi

for bad in adore_ sebek_ diamorphine hide_pid reptile_ khook_; do
	if grep -qi "$bad" "$KSYMS"; then
		warn "suspicious kernel symbol matching '$bad' in $KSYMS"
	fi
done

# hooked syscall table? compare the live address with the installed map
live=$(awk '$3 == "sys_call_table" { print $1; exit }' /proc/kallsyms)
map=$(awk '$3 == "sys_call_table" { print $1; exit }' "/boot/System.map-$(uname -r)" 2>/dev/null)
if [ -n "$live" ] && [ -n "$map" ] && [ "$live" != "$map" ]; then
	echo "note: sys_call_table differs from the map (expected under KASLR)"
fi

[ $FOUND -eq 0 ] && echo "kernel symbol checks: OK"
exit $FOUND
