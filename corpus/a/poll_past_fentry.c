/*
 * poll_past_fentry.c - sample poll() timeouts, probing just past the
 * __fentry__ call so the probe does not share ftrace's site.
 *
 * do_sys_poll is ffffffff813846a0 in System.map-6.1.0-56-amd64; the call to
 * __fentry__ is 5 bytes, so the first real instruction is at +5.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static unsigned long polls, zero_timeouts;

static int poll_pre(struct kprobe *p, struct pt_regs *regs)
{
	polls++;
	if (!regs->dx)
		zero_timeouts++;
	return 0;
}

static struct kprobe poll_kp = {
	.addr = (kprobe_opcode_t *)0xffffffff813846a5,	/* do_sys_poll+5 */
	.pre_handler = poll_pre,
};

static int __init poll_past_fentry_init(void)
{
	return register_kprobe(&poll_kp);
}

static void __exit poll_past_fentry_exit(void)
{
	unregister_kprobe(&poll_kp);
	pr_info("poll_past_fentry: %lu polls, %lu without timeout\n", polls, zero_timeouts);
}

module_init(poll_past_fentry_init);
module_exit(poll_past_fentry_exit);
MODULE_LICENSE("GPL");
