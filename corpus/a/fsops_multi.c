/*
 * fsops_multi.c - count calls to a handful of VFS entry points with one
 * kprobe each, registered in one go with register_kprobes().
 *
 * For 4.x/5.x (< 5.7) kernels, which still export kallsyms_lookup_name.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

#define NR_FSOPS	4

extern unsigned long kallsyms_lookup_name(const char *name);

static const char *names[NR_FSOPS] = {
	"do_unlinkat",
	"do_mkdirat",
	"do_renameat2",
	"do_truncate",
};

static atomic_t hits[NR_FSOPS];
static struct kprobe kps[NR_FSOPS];
static struct kprobe *kp_ptrs[NR_FSOPS];

static int fsop_pre(struct kprobe *p, struct pt_regs *regs)
{
	int idx = p - kps;

	if (idx >= 0 && idx < NR_FSOPS)
		atomic_inc(&hits[idx]);
	return 0;
}

static int __init fsops_init(void)
{
	int i, ret;

	for (i = 0; i < NR_FSOPS; i++) {
		kps[i].addr = (kprobe_opcode_t *)kallsyms_lookup_name(names[i]);
		if (!kps[i].addr) {
			printk(KERN_ERR "fsops: no symbol %s\n", names[i]);
			return -ENOENT;
		}
		kps[i].pre_handler = fsop_pre;
		kp_ptrs[i] = &kps[i];
	}

	ret = register_kprobes(kp_ptrs, ARRAY_SIZE(kp_ptrs));
	if (ret < 0) {
		printk(KERN_ERR "fsops: register_kprobes returned %d\n", ret);
		return ret;
	}
	printk(KERN_INFO "fsops: %d probes planted\n", NR_FSOPS);
	return 0;
}

static void __exit fsops_exit(void)
{
	int i;

	unregister_kprobes(kp_ptrs, ARRAY_SIZE(kp_ptrs));
	for (i = 0; i < NR_FSOPS; i++)
		printk(KERN_INFO "fsops: %-14s %d\n", names[i],
		       atomic_read(&hits[i]));
}

module_init(fsops_init);
module_exit(fsops_exit);
MODULE_LICENSE("GPL");
