/*
 * shared_handler.c - one entry handler for two jprobes on functions with the
 * same prototype (a common shortcut in test suites). The port refuses: the
 * two probed functions may not pass their arguments alike.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static int jcommon(unsigned int fd, unsigned long arg)
{
	pr_info("shared_handler: fd=%u arg=%lx\n", fd, arg);
	jprobe_return();
	return 0;
}

static struct jprobe a_jp = {
	.entry = jcommon,
	.kp.symbol_name = "ksys_fchown",
};

static struct jprobe b_jp = {
	.entry = jcommon,
	.kp.symbol_name = "ksys_fchmod",
};

static int __init shared_init(void)
{
	int ret = register_jprobe(&a_jp);

	return ret ? ret : register_jprobe(&b_jp);
}

static void __exit shared_exit(void)
{
	unregister_jprobe(&b_jp);
	unregister_jprobe(&a_jp);
}

module_init(shared_init);
module_exit(shared_exit);
MODULE_LICENSE("GPL");
