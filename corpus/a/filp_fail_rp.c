// SPDX-License-Identifier: GPL-2.0-only
/*
 * filp_fail_rp - report failed path lookups in do_filp_open().
 *
 * do_filp_open returns a struct file * or an ERR_PTR; we only log the
 * errors.  The kretprobe is allocated at load time so that several
 * copies of this module can be built with different targets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/ratelimit.h>

/* do_filp_open, 6.1.0-56-amd64 System.map */
#define DO_FILP_OPEN	0xffffffff8137d360

static struct kretprobe *rp;
static atomic_long_t nr_fail = ATOMIC_LONG_INIT(0);

static int filp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	void *ret = (void *)regs_return_value(regs);

	if (IS_ERR(ret)) {
		atomic_long_inc(&nr_fail);
		pr_info_ratelimited("%s[%d]: open failed: %ld\n",
				    current->comm, current->pid, PTR_ERR(ret));
	}
	return 0;
}

static int __init filp_fail_init(void)
{
	int err;

	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	if (!rp)
		return -ENOMEM;

	rp->kp.addr = (kprobe_opcode_t *)DO_FILP_OPEN;
	rp->handler = filp_ret;
	rp->maxactive = 64;

	err = register_kretprobe(rp);
	if (err) {
		pr_err("register_kretprobe: %d\n", err);
		kfree(rp);
		return err;
	}
	pr_info("watching do_filp_open\n");
	return 0;
}

static void __exit filp_fail_exit(void)
{
	unregister_kretprobe(rp);
	pr_info("%ld failures, %d missed\n",
		atomic_long_read(&nr_fail), rp->nmissed);
	kfree(rp);
}

module_init(filp_fail_init);
module_exit(filp_fail_exit);
MODULE_LICENSE("GPL");
