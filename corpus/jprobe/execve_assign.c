/*
 * execve_assign.c - trace do_execve() with a jprobe filled in at init time,
 * field by field, with the JPROBE_ENTRY() cast of old kernels (the style of
 * the "Debug Hacks" book samples and early Documentation/kprobes.txt).
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static struct jprobe jp;

static int jdo_execve(char *filename, char __user *__user *argv,
		      char __user *__user *envp, struct pt_regs *regs)
{
	printk(KERN_INFO "execve_assign: %s\n", filename);
	jprobe_return();
	return 0;
}

static int __init execve_assign_init(void)
{
	jp.entry = JPROBE_ENTRY(jdo_execve);
	jp.kp.symbol_name = "do_execve";
	if (register_jprobe(&jp) < 0) {
		printk(KERN_ERR "execve_assign: cannot register\n");
		return -1;
	}
	return 0;
}

static void __exit execve_assign_exit(void)
{
	unregister_jprobe(&jp);
}

module_init(execve_assign_init);
module_exit(execve_assign_exit);
MODULE_LICENSE("GPL");
