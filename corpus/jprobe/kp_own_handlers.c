/*
 * kp_own_handlers.c - a course's jprobe example that also fills in the
 * embedded kprobe's own handlers (pre, post, fault), which register_jprobe()
 * replaced in part: it set kp.pre_handler to its setjmp handler, so the entry
 * handler ran and kp_pre() never did. Flattened into one kprobe, the struct
 * would get two pre_handlers; the port refuses.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static long jdo_exit(long code)
{
	pr_info("kp_own_handlers: do_exit(%ld)\n", code);
	jprobe_return();
	return 0;
}

static int kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static void kp_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
}

static struct jprobe exit_jp = {
	.entry = jdo_exit,
	.kp = {
		.symbol_name = "do_exit",
		.pre_handler = kp_pre,
		.post_handler = kp_post,
	},
};

static int __init own_init(void)
{
	return register_jprobe(&exit_jp);
}

static void __exit own_exit(void)
{
	unregister_jprobe(&exit_jp);
}

module_init(own_init);
module_exit(own_exit);
MODULE_LICENSE("GPL");
