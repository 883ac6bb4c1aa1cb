// SPDX-License-Identifier: GPL-2.0
/*
 * fsprobe.c - count open/read/write/close calls on a test box.
 *
 * Built against 6.1.0-56-amd64, booted with nokaslr; the addresses below
 * were taken from that build's System.map.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

#define SYS_OPEN_ADDR	0xffffffff81364470UL	/* do_sys_open */
#define SYS_CLOSE_ADDR	0xffffffff81364ad0UL	/* __x64_sys_close */
#define DO_EXIT_ADDR	0xffffffff810a7010UL	/* do_exit */

#define DEFINE_ADDR_PROBE(name, where)				\
	static struct kprobe name = {				\
		.addr		= (kprobe_opcode_t *)(where),	\
		.pre_handler	= name##_pre,			\
	}

#define AIM(p, a)	(p).addr = (kprobe_opcode_t *)(a)

#define DEFINE_COUNTER_HANDLER(name)					\
	static atomic_long_t name##_hits = ATOMIC_LONG_INIT(0);		\
	static int name##_pre(struct kprobe *p, struct pt_regs *regs)	\
	{								\
		atomic_long_inc(&name##_hits);				\
		return 0;						\
	}

DEFINE_COUNTER_HANDLER(read_kp)
DEFINE_COUNTER_HANDLER(write_kp)
DEFINE_COUNTER_HANDLER(open_kp)

DEFINE_ADDR_PROBE(read_kp, 0xffffffff813669e0);
DEFINE_ADDR_PROBE(write_kp, 0xffffffff81367160UL);
DEFINE_ADDR_PROBE(open_kp, SYS_OPEN_ADDR);

static atomic_long_t close_hits = ATOMIC_LONG_INIT(0);
static atomic_long_t exit_hits = ATOMIC_LONG_INIT(0);

static int close_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&close_hits);
	return 0;
}

static int exit_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&exit_hits);
	return 0;
}

static struct kprobe close_kp = {
	.pre_handler = close_pre,
};

static struct kprobe exit_kp = {
	.pre_handler = exit_pre,
};

static struct kprobe *all_probes[] = {
	&read_kp, &write_kp, &open_kp, &close_kp, &exit_kp,
};

static int __init fsprobe_init(void)
{
	int ret;

	AIM(exit_kp, DO_EXIT_ADDR);
	close_kp.addr = (kprobe_opcode_t *)SYS_CLOSE_ADDR;

	ret = register_kprobes(all_probes, ARRAY_SIZE(all_probes));
	if (ret < 0) {
		pr_err("fsprobe: register_kprobes failed: %d\n", ret);
		return ret;
	}
	pr_info("fsprobe: %zu probes armed\n", ARRAY_SIZE(all_probes));
	return 0;
}

static void __exit fsprobe_exit(void)
{
	unregister_kprobes(all_probes, ARRAY_SIZE(all_probes));
	pr_info("fsprobe: read=%ld write=%ld open=%ld close=%ld exit=%ld\n",
		atomic_long_read(&read_kp_hits), atomic_long_read(&write_kp_hits),
		atomic_long_read(&open_kp_hits), atomic_long_read(&close_hits),
		atomic_long_read(&exit_hits));
}

module_init(fsprobe_init);
module_exit(fsprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("open/read/write/close counters");
