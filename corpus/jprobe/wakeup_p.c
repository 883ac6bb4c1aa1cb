/*
 * wakeup_p.c - watch wake_up_process() for one pid; the handler's first
 * parameter is called p, as in the probed function, and the module pauses
 * the probe with disable_jprobe() through a module parameter callback.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

static int target = -1;
module_param(target, int, 0644);

static int jwake_up_process(struct task_struct *p)
{
	if (p->pid == target)
		pr_info("wakeup_p: %s[%d] woken by %s\n", p->comm, p->pid, current->comm);
	jprobe_return();
	return 0;
}

static struct jprobe wake_jp = {
	.entry = jwake_up_process,
	.kp = {
		.symbol_name = "wake_up_process",
	},
};

static int pause_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (ret)
		return ret;
	return on ? disable_jprobe(&wake_jp) : enable_jprobe(&wake_jp);
}

static const struct kernel_param_ops pause_ops = { .set = pause_set };
module_param_cb(pause, &pause_ops, NULL, 0200);

static int __init wakeup_init(void)
{
	int ret = register_jprobe(&wake_jp);

	if (!ret)
		pr_info("wakeup_p: kprobe at %p\n", &wake_jp.kp);
	return ret;
}

static void __exit wakeup_exit(void)
{
	unregister_jprobe(&wake_jp);
}

module_init(wakeup_init);
module_exit(wakeup_exit);
MODULE_LICENSE("GPL");
