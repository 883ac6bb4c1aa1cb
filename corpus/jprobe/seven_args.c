/*
 * seven_args.c - a jprobe handler with seven parameters; x86-64 passes only
 * six in registers, so the port refuses.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static long jseven(long a, long b, long c, long d, long e, long f, long g)
{
	pr_info("seven_args: %ld %ld\n", a, g);
	jprobe_return();
	return 0;
}

static struct jprobe seven_jp = {
	.entry = jseven,
	.kp.symbol_name = "pm_test_seven",
};

static int __init seven_init(void)
{
	return register_jprobe(&seven_jp);
}

static void __exit seven_exit(void)
{
	unregister_jprobe(&seven_jp);
}

module_init(seven_init);
module_exit(seven_exit);
MODULE_LICENSE("GPL");
