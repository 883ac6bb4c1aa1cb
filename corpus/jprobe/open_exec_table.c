/*
 * open_exec_table.c - an array of jprobes, one element per probed function,
 * each initialised with a cast handler and a one-line .kp block, registered
 * in a loop (the layout of several vendor test suites).
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

static int jh_open(int dfd, const char __user *filename, int flags, umode_t mode)
{
	pr_info("open_exec_table: %s open flags=%#x mode=%#o\n", current->comm, flags, mode);
	jprobe_return();
	return 0;
}

static int jh_exec(struct filename *filename)
{
	pr_info("open_exec_table: %s exec %s\n", current->comm, filename->name);
	jprobe_return();
	return 0;
}

static struct jprobe probes[] = {
	{
		.entry = (kprobe_opcode_t *)jh_open,
		.kp = { .symbol_name = "do_sys_open" },
	},
	{
		.entry = (kprobe_opcode_t *)jh_exec,
		.kp = { .symbol_name = "do_execve" },
	},
};

static int __init table_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		ret = register_jprobe(&probes[i]);
		if (ret < 0) {
			while (--i >= 0)
				unregister_jprobe(&probes[i]);
			return ret;
		}
		pr_info("open_exec_table: %s at %p\n", probes[i].kp.symbol_name, probes[i].kp.addr);
	}
	return 0;
}

static void __exit table_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		unregister_jprobe(&probes[i]);
}

module_init(table_init);
module_exit(table_exit);
MODULE_LICENSE("GPL");
