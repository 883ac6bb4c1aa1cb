// SPDX-License-Identifier: GPL-2.0
/*
 * rwpeek - sample register state a few instructions into the read/write
 * paths (after the frame is set up) on the 6.1.0-56-amd64 test image.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>

static int peek_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("rwpeek: %s+%#x: di=%lx si=%lx dx=%lx\n",
		p->symbol_name ?: "?", p->offset, regs->di, regs->si, regs->dx);
	return 0;
}

static struct kprobe read_kp = {
	.addr		= (kprobe_opcode_t *)0xffffffff813669e0,
	.offset		= 0x10,
	.pre_handler	= peek_pre,
};

static struct kprobe write_kp = {
	.symbol_name	= "vfs_write",
	.offset		= 0x10,
	.pre_handler	= peek_pre,
};

static struct kprobe fsync_kp = {
	.addr		= (kprobe_opcode_t *)0xffffffff813abde0,
	.offset		= 0,
	.pre_handler	= peek_pre,
};

static struct kprobe ksys_write_kp = {
	.pre_handler	= peek_pre,
};

static struct kprobe *rw_probes[] = {
	&read_kp, &write_kp, &fsync_kp, &ksys_write_kp,
};

static int __init rwpeek_init(void)
{
	int ret;

	ksys_write_kp.addr = (kprobe_opcode_t *)0xffffffff81367680;
	ksys_write_kp.offset = 0x8;

	ret = register_kprobes(rw_probes, ARRAY_SIZE(rw_probes));
	if (ret < 0)
		pr_err("rwpeek: register_kprobes: %d\n", ret);
	return ret;
}

static void __exit rwpeek_exit(void)
{
	unregister_kprobes(rw_probes, ARRAY_SIZE(rw_probes));
}

module_init(rwpeek_init);
module_exit(rwpeek_exit);
MODULE_LICENSE("GPL");
