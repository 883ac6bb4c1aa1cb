// SPDX-License-Identifier: GPL-2.0
/*
 * schedprobes.c - hit counters on a few scheduler paths
 *
 * Addresses are for 5.4.0-150-generic and come out of its System.map
 * (tools/genaddrs.sh).  Rebuild after every kernel update.
 *
 * A probe can be moved at run time, e.g. after a livepatch:
 *	echo 1:0xffffffff810d4c20 > /sys/module/schedprobes/parameters/retarget
 */
#define pr_fmt(fmt) "schedprobes: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/atomic.h>

struct sp_probe {
	const char	*tag;
	struct kprobe	kp;
	atomic_long_t	hits;
};

static int sp_pre(struct kprobe *p, struct pt_regs *regs);

static struct sp_probe sp_probes[] = {
	{
		.tag = "schedule",
		.kp = {
			.addr		= (kprobe_opcode_t *)0xffffffff81c2b6f0,
			.pre_handler	= sp_pre,
		},
	},
	{
		.tag = "try_to_wake_up",
		.kp.addr	= (kprobe_opcode_t *)0xffffffff810d4c20,
		.kp.pre_handler	= sp_pre,
	},
	{ "wake_up_new_task", { .addr = (kprobe_opcode_t *) 0xffffffff810d5a80UL, .pre_handler = sp_pre } },
	{
		/* just after the rq lock is dropped */
		.tag = "finish_task_switch",
		.kp = {
			.addr		= (kprobe_opcode_t *)0xffffffff810d1e10,
			.offset		= 0x3b,
			.pre_handler	= sp_pre,
		},
	},
	{
		.tag = "pick_next_task_fair",
		.kp = {
			.symbol_name	= "pick_next_task_fair",
			.offset		= 0x12,
			.pre_handler	= sp_pre,
		},
	},
	{
		/* static in fair.c */
		.tag = "update_curr",
		.kp = {
			.symbol_name	= "update_curr",
			.addr		= (kprobe_opcode_t *)0xffffffff810e0b50,
			.pre_handler	= sp_pre,
		},
	},
};

static bool sp_registered[ARRAY_SIZE(sp_probes)];
static bool selftest_hit;

static int sp_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sp_probe *sp = container_of(p, struct sp_probe, kp);

	atomic_long_inc(&sp->hits);
	return 0;
}

/* move a registered probe somewhere else */
static int sp_retarget(struct kprobe *p, unsigned long where)
{
	unregister_kprobe(p);
	p->addr = (kprobe_opcode_t *)where;
	p->flags = 0;
	return register_kprobe(p);
}

static int sp_param_retarget(const char *val, const struct kernel_param *kp)
{
	unsigned int idx;
	unsigned long where;

	if (sscanf(val, "%u:%lx", &idx, &where) != 2)
		return -EINVAL;
	if (idx >= ARRAY_SIZE(sp_probes) || !sp_registered[idx])
		return -ENOENT;
	return sp_retarget(&sp_probes[idx].kp, where);
}

static const struct kernel_param_ops sp_retarget_ops = {
	.set = sp_param_retarget,
};
module_param_cb(retarget, &sp_retarget_ops, NULL, 0200);

/* make sure kprobes work at all before trusting the numbers */
static noinline int sp_selftest_target(int v)
{
	return v * 2 + 1;
}

static int sp_selftest_pre(struct kprobe *p, struct pt_regs *regs)
{
	selftest_hit = true;
	return 0;
}

static struct kprobe sp_selftest_kp = {
	.pre_handler = sp_selftest_pre,
};

static int sp_selftest(void)
{
	int ret;

	sp_selftest_kp.addr = (kprobe_opcode_t *)sp_selftest_target;
	ret = register_kprobe(&sp_selftest_kp);
	if (ret)
		return ret;
	sp_selftest_target(20);
	unregister_kprobe(&sp_selftest_kp);
	return selftest_hit ? 0 : -EIO;
}

static int __init sp_init(void)
{
	int i, ret, n = 0;

	ret = sp_selftest();
	if (ret) {
		pr_err("kprobe self test failed: %d\n", ret);
		return ret;
	}

	for (i = 0; i < ARRAY_SIZE(sp_probes); i++) {
		ret = register_kprobe(&sp_probes[i].kp);
		if (ret) {
			pr_warn("%s: %d\n", sp_probes[i].tag, ret);
			continue;
		}
		sp_registered[i] = true;
		pr_info("%s at %pS\n", sp_probes[i].tag, sp_probes[i].kp.addr);
		n++;
	}
	return n ? 0 : -ENODEV;
}

static void __exit sp_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sp_probes); i++) {
		if (!sp_registered[i])
			continue;
		unregister_kprobe(&sp_probes[i].kp);
		pr_info("%-20s %ld\n", sp_probes[i].tag,
			atomic_long_read(&sp_probes[i].hits));
	}
}

module_init(sp_init);
module_exit(sp_exit);
MODULE_LICENSE("GPL");
