// SPDX-License-Identifier: GPL-2.0
/*
 * openwatch - remember the last files opened (optionally by one command)
 *
 *   insmod openwatch.ko comm=sshd
 *   echo do_sys_open > /sys/module/openwatch/parameters/target
 *
 * kallsyms_lookup_name() has not been available to modules since 5.7,
 * so the probe is placed by name and register_kprobe() resolves it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>

static char symbol[KSYM_NAME_LEN] = "do_sys_openat2";

static char comm[TASK_COMM_LEN];
module_param_string(comm, comm, sizeof(comm), 0644);
MODULE_PARM_DESC(comm, "only record opens by this command");

#define OW_RING 64

struct ow_event {
	unsigned long	addr;		/* where the probe fired */
	pid_t		pid;
	char		comm[TASK_COMM_LEN];
	char		path[96];
};

static struct ow_event ring[OW_RING];
static unsigned int ring_head;
static DEFINE_SPINLOCK(ring_lock);
static DEFINE_MUTEX(ow_mutex);
static bool ow_registered;

static int ow_pre(struct kprobe *p, struct pt_regs *regs)
{
	const char __user *upath =
		(const char __user *)regs_get_kernel_argument(regs, 1);
	struct ow_event *ev;
	unsigned long flags;

	if (comm[0] && strncmp(current->comm, comm, TASK_COMM_LEN))
		return 0;

	spin_lock_irqsave(&ring_lock, flags);
	ev = &ring[ring_head++ % OW_RING];
	ev->addr = (unsigned long)p->addr;
	ev->pid = task_pid_nr(current);
	memcpy(ev->comm, current->comm, TASK_COMM_LEN);
	if (copy_from_user_nofault(ev->path, upath, sizeof(ev->path) - 1))
		strscpy(ev->path, "?", sizeof(ev->path));
	ev->path[sizeof(ev->path) - 1] = '\0';
	spin_unlock_irqrestore(&ring_lock, flags);
	return 0;
}

static struct kprobe ow_kp = {
	.pre_handler = ow_pre,
};

static int ow_arm(const char *sym)
{
	int ret;

	/* the struct may have been registered before: start from scratch */
	ow_kp.addr = NULL;
	ow_kp.offset = 0;
	ow_kp.flags = 0;
	ow_kp.symbol_name = sym;

	ret = register_kprobe(&ow_kp);
	if (ret < 0) {
		pr_err("register_kprobe(%s): %d\n", sym, ret);
		return ret;
	}
	ow_registered = true;
	pr_info("probe on %s at %pS (%px)\n", sym, ow_kp.addr, ow_kp.addr);
	return 0;
}

static int ow_set_target(const char *val, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&ow_mutex);
	if (ow_registered) {
		unregister_kprobe(&ow_kp);
		ow_registered = false;
	}
	strscpy(symbol, val, sizeof(symbol));
	strreplace(symbol, '\n', '\0');
	ret = ow_arm(symbol);
	mutex_unlock(&ow_mutex);
	return ret;
}

static int ow_get_target(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", symbol);
}

static const struct kernel_param_ops ow_target_ops = {
	.set = ow_set_target,
	.get = ow_get_target,
};
module_param_cb(target, &ow_target_ops, NULL, 0644);
MODULE_PARM_DESC(target, "function to probe (default do_sys_openat2)");

static int __init ow_init(void)
{
	int ret;

	mutex_lock(&ow_mutex);
	ret = ow_registered ? 0 : ow_arm(symbol);
	mutex_unlock(&ow_mutex);
	return ret;
}

static void __exit ow_exit(void)
{
	unsigned int i, n;

	mutex_lock(&ow_mutex);
	if (ow_registered)
		unregister_kprobe(&ow_kp);
	mutex_unlock(&ow_mutex);

	n = min_t(unsigned int, ring_head, OW_RING);
	for (i = 0; i < n; i++)
		pr_info("%pS %s[%d] %s\n", (void *)ring[i].addr, ring[i].comm,
			ring[i].pid, ring[i].path);
	if (ow_kp.nmissed)
		pr_info("missed %lu hits\n", ow_kp.nmissed);
}

module_init(ow_init);
module_exit(ow_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Record recently opened files");
