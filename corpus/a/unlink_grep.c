/*
 * unlink_grep.c - count unlinks while chasing the orphan-inode bug.
 *
 * Address taken on the test box:
 *
 *   $ grep ' do_unlinkat$' /proc/kallsyms
 *   ffffffff8137dd60 T do_unlinkat
 *
 * (boot with nokaslr, or the number is wrong)
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

static atomic_t unlinks = ATOMIC_INIT(0);

static struct kprobe kpb;

static int kpb_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&unlinks);
	return 0;
}

static int __init unlink_grep_init(void)
{
	int ret;

	kpb.pre_handler = kpb_pre;
	kpb.addr = (kprobe_opcode_t *) 0xffffffff8137dd60;
	ret = register_kprobe(&kpb);
	if (ret < 0) {
		printk(KERN_ERR "unlink_grep: register_kprobe failed, returned %d\n", ret);
		return ret;
	}
	printk(KERN_INFO "unlink_grep: planted kprobe at %p\n", kpb.addr);
	return 0;
}

static void __exit unlink_grep_exit(void)
{
	unregister_kprobe(&kpb);
	printk(KERN_INFO "unlink_grep: %d unlinks\n", atomic_read(&unlinks));
}

module_init(unlink_grep_init);
module_exit(unlink_grep_exit);
MODULE_LICENSE("GPL");
