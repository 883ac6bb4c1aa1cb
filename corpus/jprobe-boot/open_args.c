/*
 * open_args.c - log the user pointer getname() is given when the guest
 * program pm-args opens a file; the handler returns a pointer like the probed
 * function and returns NULL after jprobe_return(), as some old modules did.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/string.h>

static struct filename *jgetname(const char __user *filename)
{
	if (!strcmp(current->comm, "pm-args"))
		pr_info("pm-args: getname filename=0x%lx\n", (unsigned long)filename);
	jprobe_return();
	return NULL;
}

static struct jprobe getname_jp = {
	.entry = (kprobe_opcode_t *)jgetname,
	.kp.symbol_name = "getname",
};

static int __init open_args_init(void)
{
	int ret = register_jprobe(&getname_jp);

	if (ret < 0)
		pr_err("open_args: register_jprobe: %d\n", ret);
	return ret;
}

static void __exit open_args_exit(void)
{
	unregister_jprobe(&getname_jp);
}

module_init(open_args_init);
module_exit(open_args_exit);
MODULE_LICENSE("GPL");
