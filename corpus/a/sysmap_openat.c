/*
 * sysmap_openat.c
 *
 * Count open() calls by hooking do_sys_openat2 a little past its entry.
 * Address taken by hand from System.map for 6.1.0-56-amd64; boot the box
 * with nokaslr or the probe lands somewhere else and register fails.
 *
 *   $ grep do_sys_openat2 System.map-6.1.0-56-amd64
 *   ffffffff81363fa0 t do_sys_openat2
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

#define DRV_NAME "sysmap_openat"

static atomic_t open_count = ATOMIC_INIT(0);

static struct kprobe openat_kp;

static int openat_pre(struct kprobe *p, struct pt_regs *regs)
{
	int n = atomic_inc_return(&open_count);

	if ((n % 1000) == 0)
		printk(KERN_INFO DRV_NAME ": %d opens so far (last by pid %d)\n",
		       n, current->pid);
	return 0;
}

static int __init sysmap_openat_init(void)
{
	int err;

	/* do_sys_openat2 + 0x11, from System.map */
	openat_kp.addr = (kprobe_opcode_t *)0xffffffff81363fb1;
	openat_kp.pre_handler = openat_pre;

	err = register_kprobe(&openat_kp);
	if (err) {
		printk(KERN_ERR DRV_NAME ": register_kprobe: %d\n", err);
		return err;
	}

	printk(KERN_INFO DRV_NAME ": probe armed at %px\n", openat_kp.addr);
	return 0;
}

static void __exit sysmap_openat_exit(void)
{
	unregister_kprobe(&openat_kp);
	printk(KERN_INFO DRV_NAME ": unloaded after %d opens\n",
	       atomic_read(&open_count));
}

module_init(sysmap_openat_init);
module_exit(sysmap_openat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("lab tools");
MODULE_DESCRIPTION("open() counter (hard-coded address)");
