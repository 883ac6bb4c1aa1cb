/*
 * write_hacks.c - watch ksys_write() the way the debugging books do it:
 * look the function up in System.map, hard-code the address, print from
 * the pre and post handlers.
 *
 *   # grep ksys_write /boot/System.map-$(uname -r)
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static struct kprobe kp;
static unsigned long nr_writes, bytes;

static int handler_pre(struct kprobe *p, struct pt_regs *regs)
{
	nr_writes++;
	bytes += regs->dx;
	return 0;
}

static void handler_post(struct kprobe *p, struct pt_regs *regs,
			 unsigned long flags)
{
}

static int __init write_hacks_init(void)
{
	kp.pre_handler = handler_pre;
	kp.post_handler = handler_post;
	kp.addr = (kprobe_opcode_t *)0xffffffff81367680;
	if (register_kprobe(&kp) < 0) {
		printk(KERN_INFO "write_hacks: register_kprobe failed\n");
		return -1;
	}
	return 0;
}

static void __exit write_hacks_exit(void)
{
	unregister_kprobe(&kp);
	printk(KERN_INFO "write_hacks: %lu writes, %lu bytes\n", nr_writes, bytes);
}

module_init(write_hacks_init);
module_exit(write_hacks_exit);
MODULE_LICENSE("GPL");
