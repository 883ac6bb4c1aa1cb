#!/usr/bin/env python3
# written for probe-migrator's corpus in the style of a perf-script / BCC
# helper that names packet-drop locations: kfree_skb is traced through a
# tracepoint and a named kprobe, and the symbol table is only used to turn
# the recorded "location" addresses back into function+offset.
import bisect
import collections
import sys
import time

from bcc import BPF

PROG = r"""
#include <uapi/linux/ptrace.h>
BPF_HASH(drops, u64, u64);
TRACEPOINT_PROBE(skb, kfree_skb) {
    u64 loc = (u64)args->location;
    drops.increment(loc);
    return 0;
}
int on_consume(struct pt_regs *ctx) { return 0; }
"""


class KernelSymbols:
    def __init__(self, path="/proc/kallsyms"):
        self.addrs, self.names = [], []
        with open(path) as fh:
            rows = sorted(
                (int(a, 16), n)
                for a, _t, n, *_rest in (l.split() for l in fh)
            )
        for a, n in rows:
            self.addrs.append(a)
            self.names.append(n)

    def name(self, ip):
        i = bisect.bisect_right(self.addrs, ip) - 1
        if i < 0:
            return "0x%x" % ip
        return "%s+0x%x" % (self.names[i], ip - self.addrs[i])


def main():
    b = BPF(text=PROG)
    b.attach_kprobe(event="consume_skb", fn_name="on_consume")
    ksyms = KernelSymbols()
    print("tracing drops, Ctrl-C to print", file=sys.stderr)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    totals = collections.Counter()
    for k, v in b["drops"].items():
        totals[ksyms.name(k.value)] += v.value
    for where, n in totals.most_common(20):
        print("%8d  %s" % (n, where))


if __name__ == "__main__":
    main()
