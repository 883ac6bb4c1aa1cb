/*
 * arch_branches.c - one jprobe whose handler is written twice, once per
 * architecture branch (64-bit kernels pass a 64-bit length), a shape seen
 * in out-of-tree tracing modules that build for several targets.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

#ifdef CONFIG_X86_64
static long jsend(int fd, const void __user *buf, unsigned long len)
{
	pr_info("arch_branches: fd=%d len=%lu\n", fd, len);
	jprobe_return();
	return 0;
}
#else
static long jsend(int fd, const void __user *buf, unsigned int len)
{
	pr_info("arch_branches: fd=%d len=%u\n", fd, len);
	jprobe_return();
	return 0;
}
#endif

static struct jprobe send_jp = {
	.entry = jsend,
	.kp = {
		.symbol_name = "__sys_sendto",
	},
};

static int __init arch_branches_init(void)
{
	return register_jprobe(&send_jp);
}

static void __exit arch_branches_exit(void)
{
	unregister_jprobe(&send_jp);
}

module_init(arch_branches_init);
module_exit(arch_branches_exit);
MODULE_LICENSE("GPL");
