#!/bin/sh
# written for probe-migrator's corpus in the style of a vendor's module
# loader script: the helper module cannot resolve symbols itself, so the
# script looks the addresses up in user space and hands them over as
# module parameters.

MOD=pktwatch
MODDIR=$(dirname "$0")

# kallsyms_lookup_name is not exported any more: pass its address in
LOOKUP=$(grep ' T kallsyms_lookup_name$' /proc/kallsyms | cut -d' ' -f1)
if [ -z "$LOOKUP" ] || [ "$LOOKUP" = "0000000000000000" ]; then
	echo "cannot read addresses from /proc/kallsyms (kptr_restrict?)" >&2
	exit 1
fi

# where to put the probe: taken from the installed map
TARGET=0x$(awk '$3 == "ip_rcv_finish" { print $1; exit }' /boot/System.map-$(uname -r))

if grep -q "^$MOD " /proc/modules; then
	echo "$MOD already loaded"
	exit 0
fi

insmod "$MODDIR/$MOD.ko" lookup_fn=0x$LOOKUP probe_at=$TARGET verbose=1 || exit 1

# the companion module takes a symbol name and a relative offset: fine
modprobe pktwatch_helper func=ip_rcv offset=0x10

echo "loaded $MOD (lookup_fn=0x$LOOKUP, probe_at=$TARGET)"
