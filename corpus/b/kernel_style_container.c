// SPDX-License-Identifier: GPL-2.0
/*
 * iostat_kp - per-entry-point hit counters and fsync latency for the VFS.
 *
 * Addresses are for 6.1.0-56-amd64 booted with nokaslr.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/ktime.h>
#include <linux/minmax.h>

#define IOSTAT_PFX	"iostat: "
#define NR_BUCKETS	8

struct my_probe {
	const char *name;
	struct kprobe kp;
	struct list_head list;
};

struct lat_data {
	ktime_t start;
};

static LIST_HEAD(probe_list);
DEFINE_SPINLOCK(iostat_lock);
static DEFINE_MUTEX(probe_mutex);

static unsigned long hits[NR_BUCKETS] __read_mostly;
static u64 lat_max_ns;
static unsigned int verbose __read_mostly;
module_param(verbose, uint, 0644);

static const unsigned long probe_addrs[] = {
	0xffffffff813669e0UL,	/* vfs_read */
	0xffffffff81367160UL,	/* vfs_write */
	0xffffffff81363d40UL,	/* vfs_open */
};

static struct my_probe probes[] = {
	{ .name = "vfs_read" },
	{ .name = "vfs_write" },
	{ .name = "vfs_open" },
};

static int count_hit(struct kprobe *kp, struct pt_regs *regs)
{
	struct my_probe *p = container_of(kp, struct my_probe, kp);
	size_t idx = p >= probes && p < probes + ARRAY_SIZE(probes) ?
		     p - probes : NR_BUCKETS - 1;
	unsigned long flags;

	switch (idx) {
	case 0:
		break;
	case 1 ... 3:
		asm volatile("" ::: "memory");
		break;
	default:
		idx = NR_BUCKETS - 1;
		break;
	}
	spin_lock_irqsave(&iostat_lock, flags);
	hits[min_t(size_t, idx, NR_BUCKETS - 1)]++;
	spin_unlock_irqrestore(&iostat_lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(count_hit);

static const char *probe_label(struct kprobe *kp, bool is_ret)
{
	if (is_ret) {
		struct kretprobe *rp = container_of(kp, struct kretprobe, kp);

		return rp->kp.symbol_name ?: "kretprobe";
	}
	return container_of(kp, struct my_probe, kp)->name ?: "anon";
}

static int lat_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	((struct lat_data *)ri->data)->start = ktime_get();
	return 0;
}

static int lat_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct lat_data *d = (struct lat_data *)ri->data;
	s64 delta = ktime_to_ns(ktime_sub(ktime_get(), d->start));
	struct kretprobe *rp = get_kretprobe(ri);

	if (delta > 0 && (u64)delta > READ_ONCE(lat_max_ns))
		WRITE_ONCE(lat_max_ns, delta);
	if (unlikely(verbose > 1) && rp)
		printk(KERN_DEBUG IOSTAT_PFX "%s: %lld ns\n",
		       probe_label(&rp->kp, true), delta);
	return 0;
}

static struct kretprobe fsync_rp __read_mostly = {
	.kp.symbol_name	= "vfs_fsync_range",
	.entry_handler	= lat_entry,
	.handler	= lat_ret,
	.data_size	= sizeof(struct lat_data),
	.maxactive	= 32,
};

static int fault_pre(struct kprobe *kp, struct pt_regs *regs)
{
	hits[NR_BUCKETS - 2]++;
	return 0;
}

static struct kprobe fault_kp __read_mostly = {
	.addr		= (kprobe_opcode_t *)0xffffffff812d2af0UL,
	.pre_handler	= fault_pre,
};

static struct my_probe *new_probe(const char *name, unsigned long where)
{
	struct my_probe *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->name = name;
	p->kp.addr = (kprobe_opcode_t *)where;
	p->kp.pre_handler = count_hit;
	INIT_LIST_HEAD(&p->list);
	return p;
}

static int __init add_ksys_read(void)
{
	struct my_probe *p = kzalloc(sizeof(struct my_probe), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	p->name = "ksys_read";
	p->kp.addr = (kprobe_opcode_t *)0xffffffff81367550UL;
	p->kp.pre_handler = count_hit;
	list_add_tail(&p->list, &probe_list);
	return 0;
}

static void __attribute__((unused)) dump_hits(void)
{
	unsigned long total = ({
		typeof(hits[0]) __s = 0;
		int __i;

		for (__i = 0; __i < NR_BUCKETS; __i++)
			__s += READ_ONCE(hits[__i]);
		__s;
	});

	pr_info(IOSTAT_PFX "total %lu, max fsync %llu ns\n", total, lat_max_ns);
}

static int __init iostat_init(void)
{
	struct my_probe *p, *extra;
	unsigned int n = ARRAY_SIZE(probes) ?: 1;
	int i, ret;

	BUILD_BUG_ON(ARRAY_SIZE(probe_addrs) != ARRAY_SIZE(probes));
	pr_debug("struct kprobe is %zu bytes\n", sizeof(struct kprobe));

	mutex_lock(&probe_mutex);
	for (i = 0; i < n; i++) {
		probes[i].kp.addr = (kprobe_opcode_t *)probe_addrs[i];
		probes[i].kp.pre_handler = count_hit;
		list_add_tail(&probes[i].list, &probe_list);
	}
	extra = new_probe("ksys_write", 0xffffffff81367680UL);
	if (extra)
		list_add_tail(&extra->list, &probe_list);
	ret = add_ksys_read();
	if (ret)
		goto out_unlock;

	list_for_each_entry(p, &probe_list, list) {
		ret = register_kprobe(&p->kp);
		if (ret < 0) {
			pr_warn("%s: register_kprobe failed, %d\n", p->name, ret);
			goto unwind;
		}
	}
	ret = register_kprobe(&fault_kp);
	if (ret < 0)
		goto unwind;
	ret = register_kretprobe(&fsync_rp);
	if (ret < 0) {
		unregister_kprobe(&fault_kp);
		goto unwind;
	}
	mutex_unlock(&probe_mutex);
	return 0;

unwind:
	list_for_each_entry_continue_reverse(p, &probe_list, list)
		unregister_kprobe(&p->kp);
out_unlock:
	mutex_unlock(&probe_mutex);
	return ret;
}

static void __exit iostat_exit(void)
{
	struct my_probe *p, *tmp;

	unregister_kretprobe(&fsync_rp);
	fsync_rp.kp.addr = NULL;
	unregister_kprobe(&fault_kp);
	mutex_lock(&probe_mutex);
	list_for_each_entry_safe(p, tmp, &probe_list, list) {
		unregister_kprobe(&p->kp);
		list_del(&p->list);
		if (p < probes || p >= probes + ARRAY_SIZE(probes))
			kfree(p);
	}
	mutex_unlock(&probe_mutex);
	dump_hits();
}

module_init(iostat_init);
module_exit(iostat_exit);
MODULE_LICENSE("GPL");
