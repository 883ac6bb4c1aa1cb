/*
 * kln_callers.c - who is still calling kallsyms_lookup_name()?
 *
 * Counts calls and remembers the last few callers' comms, so we can see
 * which out-of-tree drivers rely on name lookups at runtime.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sched.h>

#define NR_LAST	8

static atomic_long_t kln_calls = ATOMIC_LONG_INIT(0);
static DEFINE_SPINLOCK(last_lock);
static char last_comm[NR_LAST][TASK_COMM_LEN];
static unsigned int last_pos;

static int kln_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long flags;

	atomic_long_inc(&kln_calls);

	spin_lock_irqsave(&last_lock, flags);
	strscpy(last_comm[last_pos], current->comm, TASK_COMM_LEN);
	last_pos = (last_pos + 1) % NR_LAST;
	spin_unlock_irqrestore(&last_lock, flags);
	return 0;
}

static struct kprobe kp = {
	.symbol_name	= "kallsyms_lookup_name",
	.pre_handler	= kln_pre,
};

static int __init kln_callers_init(void)
{
	int ret = register_kprobe(&kp);

	if (ret < 0) {
		pr_err("kln_callers: register_kprobe failed: %d\n", ret);
		return ret;
	}
	pr_info("kln_callers: %s is at %px\n", kp.symbol_name, kp.addr);
	return 0;
}

static void __exit kln_callers_exit(void)
{
	unsigned int i;

	unregister_kprobe(&kp);
	pr_info("kln_callers: %ld calls\n", atomic_long_read(&kln_calls));
	for (i = 0; i < NR_LAST; i++)
		if (last_comm[i][0])
			pr_info("kln_callers:   recent caller %s\n", last_comm[i]);
}

module_init(kln_callers_init);
module_exit(kln_callers_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("count calls to kallsyms_lookup_name");
