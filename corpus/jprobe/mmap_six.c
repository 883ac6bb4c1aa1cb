/*
 * mmap_six.c - a jprobe whose handler takes all six register arguments of
 * ksys_mmap_pgoff() and starts with a declaration of its own.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/mman.h>

static unsigned long jksys_mmap_pgoff(unsigned long addr, unsigned long len,
				      unsigned long prot, unsigned long flags,
				      unsigned long fd, unsigned long pgoff)
{
	unsigned long end = addr + len;

	pr_info("mmap_six: [%lx, %lx) prot=%lx flags=%lx fd=%ld pgoff=%lx\n",
		addr, end, prot, flags, (long)fd, pgoff);
	jprobe_return();
	return 0;
}

static struct jprobe mmap_jp = {
	.entry = jksys_mmap_pgoff,
	.kp = {
		.symbol_name = "ksys_mmap_pgoff",
	},
};

static int __init mmap_six_init(void)
{
	return register_jprobe(&mmap_jp);
}

static void __exit mmap_six_exit(void)
{
	unregister_jprobe(&mmap_jp);
}

module_init(mmap_six_init);
module_exit(mmap_six_exit);
MODULE_LICENSE("GPL");
