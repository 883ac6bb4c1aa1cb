/*
 * mmap_args.c - all six arguments of ksys_mmap_pgoff(), logged for the guest
 * program pm-args: the register-passed maximum on x86-64. fd is an int to the
 * kernel (fget() takes the low 32 bits): the upper half of its register is not
 * the caller's to define, so it is printed as one.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/string.h>

static unsigned long jksys_mmap_pgoff(unsigned long addr, unsigned long len, unsigned long prot,
				      unsigned long flags, unsigned long fd, unsigned long pgoff)
{
	if (strcmp(current->comm, "pm-args") == 0)
		pr_info("pm-args: ksys_mmap_pgoff addr=%lu len=%lu prot=%lu flags=%lu fd=%d pgoff=%lu\n",
			addr, len, prot, flags, (int)fd, pgoff);
	jprobe_return();
	return 0;
}

static struct jprobe mmap_jp = {
	.entry = jksys_mmap_pgoff,
	.kp = {
		.symbol_name = "ksys_mmap_pgoff",
	},
};

static int __init mmap_args_init(void)
{
	return register_jprobe(&mmap_jp);
}

static void __exit mmap_args_exit(void)
{
	unregister_jprobe(&mmap_jp);
}

module_init(mmap_args_init);
module_exit(mmap_args_exit);
MODULE_LICENSE("GPL");
