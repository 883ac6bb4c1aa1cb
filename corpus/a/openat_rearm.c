// SPDX-License-Identifier: GPL-2.0
/*
 * openat_rearm - watch do_sys_openat2 from the inside and on return.
 *
 * The entry probe sits 0x11 bytes into the function; the return probe
 * reports the fd.  Writing 1 to /sys/module/openat_rearm/parameters/rearm
 * drops and re-plants the entry probe (handy after livepatching).
 */
#define pr_fmt(fmt) "openat_rearm: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(rearm_lock);
static unsigned long entry_hits, ret_hits;

static int openat_mid(struct kprobe *p, struct pt_regs *regs)
{
	entry_hits++;
	return 0;
}

static int openat_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long fd = (long)regs_return_value(regs);

	if (fd >= 0)
		ret_hits++;
	return 0;
}

static struct kprobe mid_kp = {
	.symbol_name	= "do_sys_openat2",
	.offset		= 0x11,
	.pre_handler	= openat_mid,
};

static struct kretprobe openat_krp = {
	.kp.symbol_name	= "do_sys_openat2",
	.handler	= openat_ret,
	.maxactive	= 16,
};

static int plant_mid(void)
{
	int ret;

	/* register_kprobe() filled in addr last time; clear it again */
	mid_kp.addr = NULL;
	mid_kp.flags = 0;
	ret = register_kprobe(&mid_kp);
	if (ret)
		pr_err("register_kprobe(%s+%#x): %d\n",
		       mid_kp.symbol_name, mid_kp.offset, ret);
	else
		pr_info("entry probe at %pS (%px)\n", mid_kp.addr, mid_kp.addr);
	return ret;
}

static int rearm_set(const char *val, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&rearm_lock);
	unregister_kprobe(&mid_kp);
	ret = plant_mid();
	mutex_unlock(&rearm_lock);
	return ret;
}

static const struct kernel_param_ops rearm_ops = {
	.set = rearm_set,
};
module_param_cb(rearm, &rearm_ops, NULL, 0200);

static int __init openat_rearm_init(void)
{
	int ret;

	ret = plant_mid();
	if (ret)
		return ret;

	ret = register_kretprobe(&openat_krp);
	if (ret) {
		pr_err("register_kretprobe: %d\n", ret);
		unregister_kprobe(&mid_kp);
		return ret;
	}
	pr_info("return probe at %px\n", openat_krp.kp.addr);
	return 0;
}

static void __exit openat_rearm_exit(void)
{
	unregister_kretprobe(&openat_krp);
	unregister_kprobe(&mid_kp);
	pr_info("%lu entries, %lu successful opens\n", entry_hits, ret_hits);
}

module_init(openat_rearm_init);
module_exit(openat_rearm_exit);
MODULE_LICENSE("GPL");
