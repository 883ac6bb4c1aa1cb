/*
 *  blklat.c  --  block layer latency histogram
 *
 *  Times submit_bio() with a kretprobe and counts request starts,
 *  requeues and completions.  The histogram is printed on unload.
 *
 *  Built for the CentOS 7 kernels (3.10.0-1160.x); the fixed addresses
 *  come from that build's System.map.
 */

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/blkdev.h>

typedef struct kprobe       kprobe_t;
typedef struct kretprobe    kretprobe_t;

#ifdef CONFIG_X86_64
#define SUBMIT_BIO_ADDR     0xffffffff812f8c60UL
#else
#define SUBMIT_BIO_ADDR     0xc1249e30UL
#endif

#define NR_SLOTS            24

struct bl_stamp
{
    u64 t0;
};

static atomic_t submit_hist[NR_SLOTS];
static atomic_t fetch_empty;
static atomic_t start_count;
static atomic_t requeue_count;
static atomic_t done_count;

static int bl_submit_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
    struct bl_stamp *s = (struct bl_stamp *) ri->data;

    s->t0 = ktime_to_ns(ktime_get());
    return 0;
}

static int bl_submit_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
    struct bl_stamp *s = (struct bl_stamp *) ri->data;
    u64 delta = ktime_to_ns(ktime_get()) - s->t0;
    int slot = fls64(delta);

    if (slot >= NR_SLOTS)
    {
        slot = NR_SLOTS - 1;
    }
    atomic_inc(&submit_hist[slot]);
    return 0;
}

static int bl_fetch_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
    if (regs_return_value(regs) == 0)
    {
        atomic_inc(&fetch_empty);
    }
    return 0;
}

static int bl_start_pre(struct kprobe *p, struct pt_regs *regs)
{
    atomic_inc(&start_count);
    return 0;
}

static int bl_requeue_pre(struct kprobe *p, struct pt_regs *regs)
{
    atomic_inc(&requeue_count);
    return 0;
}

static int bl_done_pre(struct kprobe *p, struct pt_regs *regs)
{
    atomic_inc(&done_count);
    return 0;
}

static kretprobe_t submit_rp =
{
    .handler        = bl_submit_ret,
    .entry_handler  = bl_submit_entry,
    .data_size      = sizeof(struct bl_stamp),
    .maxactive      = 64,
};

/* blk_fetch_request */
static kretprobe_t fetch_rp =
{
    .kp =
    {
        .addr = (kprobe_opcode_t *) 0xffffffff812fb1d0UL,
    },
    .handler        = bl_fetch_ret,
    .maxactive      = 32,
};

static kprobe_t start_kp =
{
    .pre_handler    = bl_start_pre,
};

static kprobe_t requeue_kp =
{
    .pre_handler    = bl_requeue_pre,
};

static kprobe_t done_kp =
{
    .pre_handler    = bl_done_pre,
};

static int __init bl_init(void)
{
    int ret;
    kprobe_t *rq = &requeue_kp;

    submit_rp.kp.addr = (kprobe_opcode_t *)
                        SUBMIT_BIO_ADDR;

#ifdef CONFIG_X86_64
    done_kp.addr = (kprobe_opcode_t *) 0xffffffff812fe4a0UL;
#else
    done_kp.addr = (kprobe_opcode_t *) 0xc124f2b0UL;
#endif

    /* after the request has been given its tag */
    start_kp.addr   = (kprobe_opcode_t *) kallsyms_lookup_name("blk_start_request");
    start_kp.offset = 0x2c;

    rq->addr = (kprobe_opcode_t *) (kallsyms_lookup_name("blk_requeue_request") + 0x1d);

    if (!start_kp.addr)
    {
        printk(KERN_ERR "blklat: blk_start_request not found\n");
        return -ENOENT;
    }

    ret = register_kretprobe(&submit_rp);
    if (ret < 0)
    {
        printk(KERN_ERR "blklat: submit_bio kretprobe failed (%d)\n", ret);
        return ret;
    }
    ret = register_kretprobe(&fetch_rp);
    if (ret < 0)
    {
        printk(KERN_ERR "blklat: blk_fetch_request kretprobe failed (%d)\n", ret);
        goto out_submit;
    }
    ret = register_kprobe(&start_kp);
    if (ret < 0)
    {
        goto out_fetch;
    }
    ret = register_kprobe(rq);
    if (ret < 0)
    {
        goto out_start;
    }
    ret = register_kprobe(&done_kp);
    if (ret < 0)
    {
        goto out_requeue;
    }

    printk(KERN_INFO "blklat: loaded\n");
    return 0;

out_requeue:
    unregister_kprobe(rq);
out_start:
    unregister_kprobe(&start_kp);
out_fetch:
    unregister_kretprobe(&fetch_rp);
out_submit:
    unregister_kretprobe(&submit_rp);
    return ret;
}

static void __exit bl_exit(void)
{
    int i;

    unregister_kprobe(&done_kp);
    unregister_kprobe(&requeue_kp);
    unregister_kprobe(&start_kp);
    unregister_kretprobe(&fetch_rp);
    unregister_kretprobe(&submit_rp);

    printk(KERN_INFO "blklat: starts %d requeues %d done %d empty fetches %d\n",
           atomic_read(&start_count), atomic_read(&requeue_count),
           atomic_read(&done_count), atomic_read(&fetch_empty));
    for (i = 0; i < NR_SLOTS; i++)
    {
        if (atomic_read(&submit_hist[i]))
        {
            printk(KERN_INFO "blklat: < %12llu ns : %d\n",
                   1ULL << i, atomic_read(&submit_hist[i]));
        }
    }
}

module_init(bl_init);
module_exit(bl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("block layer latency");
