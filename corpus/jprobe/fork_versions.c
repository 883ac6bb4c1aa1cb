/*
 * fork_versions.c - a jprobe on the fork path that still builds for old
 * kernels: the probed name depends on LINUX_VERSION_CODE (do_fork became
 * _do_fork in 4.2). The port refuses by default (regs_get_kernel_argument()
 * exists on x86 only since 4.20).
 */
#include <linux/module.h>
#include <linux/version.h>
#include <linux/kprobes.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 2, 0)
#define FORK_NAME "do_fork"
#else
#define FORK_NAME "_do_fork"
#endif

static long jfork(unsigned long clone_flags, unsigned long stack_start,
		  unsigned long stack_size)
{
	pr_info("fork_versions: flags=%lx\n", clone_flags);
	jprobe_return();
	return 0;
}

static struct jprobe fork_jp = {
	.entry = jfork,
	.kp = {
		.symbol_name = FORK_NAME,
	},
};

static int __init fork_versions_init(void)
{
	return register_jprobe(&fork_jp);
}

static void __exit fork_versions_exit(void)
{
	unregister_jprobe(&fork_jp);
}

module_init(fork_versions_init);
module_exit(fork_versions_exit);
MODULE_LICENSE("GPL");
