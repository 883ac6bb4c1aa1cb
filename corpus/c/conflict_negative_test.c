// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe self-test: registration must refuse a probe given both a symbol and
 * an address.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>

static int dummy_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static noinline int target_func(int x)
{
	return x + 1;
}

static struct kprobe both_kp = {
	.symbol_name = "kernel_clone",
	.addr = (kprobe_opcode_t *)target_func,
	.pre_handler = dummy_pre,
};

static int check_both_rejected(void)
{
	int ret;

	ret = register_kprobe(&both_kp);
	if (ret != -EINVAL) {
		pr_err("selftest: both symbol and addr accepted: %d\n", ret);
		if (!ret)
			unregister_kprobe(&both_kp);
		return -1;
	}
	return 0;
}

static int __init selftest_init(void)
{
	struct kprobe kp = {};
	int ret;

	kp.symbol_name = "kernel_clone";
	kp.addr = (kprobe_opcode_t *)0xffffffff81000000UL;
	kp.pre_handler = dummy_pre;
	ret = register_kprobe(&kp);
	if (ret == -EINVAL)
		pr_info("selftest: conflict rejected\n");
	return check_both_rejected();
}

module_init(selftest_init);
MODULE_LICENSE("GPL");
