/*
 * exit_counter.c - count do_exit() and schedule() calls; neither handler
 * reads its arguments (one has none), so the port declares nothing.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

static atomic_t exits = ATOMIC_INIT(0);
static atomic_t schedules = ATOMIC_INIT(0);

static void jdo_exit(long code)
{
	atomic_inc(&exits);
	jprobe_return();
}

static void jschedule(void)
{
	atomic_inc(&schedules);
	jprobe_return();
}

static struct jprobe exit_jp = {
	.entry = jdo_exit,
	.kp.symbol_name = "do_exit",
}, sched_jp = {
	.entry = jschedule,
	.kp.symbol_name = "schedule",
};

static int __init exit_counter_init(void)
{
	int ret = register_jprobe(&exit_jp);

	if (ret)
		return ret;
	ret = register_jprobe(&sched_jp);
	if (ret)
		unregister_jprobe(&exit_jp);
	return ret;
}

static void __exit exit_counter_exit(void)
{
	unregister_jprobe(&sched_jp);
	unregister_jprobe(&exit_jp);
	pr_info("exit_counter: %d exits, %d schedules\n", atomic_read(&exits), atomic_read(&schedules));
}

module_init(exit_counter_init);
module_exit(exit_counter_exit);
MODULE_LICENSE("GPL");
