/*
 * param_address.c - a handler that passes the address of its parameter on:
 * in a jprobe the parameters were the probed function's own stack slots, so
 * the port refuses.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static void dump_len(const size_t *lenp)
{
	pr_info("param_address: len=%zu\n", *lenp);
}

static ssize_t jkernel_read(struct file *file, void *buf, size_t count, loff_t *pos)
{
	dump_len(&count);
	jprobe_return();
	return 0;
}

static struct jprobe read_jp = {
	.entry = jkernel_read,
	.kp.symbol_name = "kernel_read",
};

static int __init param_address_init(void)
{
	return register_jprobe(&read_jp);
}

static void __exit param_address_exit(void)
{
	unregister_jprobe(&read_jp);
}

module_init(param_address_init);
module_exit(param_address_exit);
MODULE_LICENSE("GPL");
