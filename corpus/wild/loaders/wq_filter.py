#!/usr/bin/env python3
# written for probe-migrator's corpus in the style of a BCC tool that
# measures workqueue latency for one work handler: the handler's address is
# resolved at run time and spliced into the BPF C as a FILTER constant
# compared with the tracepoint's "function" field.  The probes themselves
# are a tracepoint and a kprobe attached by name.
import argparse
from time import sleep

from bcc import BPF

TEXT = """
#include <uapi/linux/ptrace.h>
BPF_HASH(queued, u64, u64);
BPF_HISTOGRAM(lat);

TRACEPOINT_PROBE(workqueue, workqueue_queue_work) {
    u64 work = (u64)args->work;
    FILTER_QUEUE
    u64 ts = bpf_ktime_get_ns();
    queued.update(&work, &ts);
    return 0;
}

int on_process(struct pt_regs *ctx, void *worker, struct work_struct *w) {
    u64 work = (u64)w, *tsp = queued.lookup(&work);
    if (!tsp)
        return 0;
    lat.increment(bpf_log2l((bpf_ktime_get_ns() - *tsp) / 1000));
    queued.delete(&work);
    return 0;
}
"""

ap = argparse.ArgumentParser()
ap.add_argument("-w", "--work", help="only this work handler (function name)")
ap.add_argument("interval", nargs="?", type=int, default=5)
args = ap.parse_args()

text = TEXT
if args.work:
    fn_addr = BPF.ksymname(args.work)
    if fn_addr == -1:
        raise SystemExit("unknown work handler %s" % args.work)
    text = text.replace("FILTER_QUEUE",
                        "if ((u64)args->function != 0x%x) return 0;" % fn_addr)
else:
    text = text.replace("FILTER_QUEUE", "")

b = BPF(text=text)
b.attach_kprobe(event="process_one_work", fn_name="on_process")
print("Tracing workqueue latency... Ctrl-C to end.")
try:
    sleep(args.interval)
except KeyboardInterrupt:
    pass
b["lat"].print_log2_hist("usecs")
