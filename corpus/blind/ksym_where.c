// SPDX-License-Identifier: GPL-2.0
/*
 * ksym_where - print where some symbols are, as kprobes sees them
 *
 * Handy when /proc/kallsyms shows only zeros (kptr_restrict) or to check
 * quickly whether a function can be probed at all:
 *
 *   insmod ksym_where.ko names=vfs_read,ksys_write offset=4
 *
 * The module never stays loaded; insmod reports "Resource temporarily
 * unavailable" once it is done, that is expected.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

static char *names[16] = { "do_sys_openat2", "vfs_read", "vfs_write" };
static int nnames = 3;
module_param_array(names, charp, &nnames, 0444);
MODULE_PARM_DESC(names, "comma separated list of symbols");

static unsigned int offset;
module_param(offset, uint, 0444);
MODULE_PARM_DESC(offset, "offset added to every symbol (0 = entry)");

static struct kprobe kln_probe = {
	.symbol_name = "kallsyms_lookup_name",
};

static int __init ksym_where_init(void)
{
	struct kprobe kp;
	int i, ret;

	/* the usual suspect first: also tells us whether kprobes work at all */
	ret = register_kprobe(&kln_probe);
	if (ret == 0) {
		pr_info("ksym_where: %-32s %px (compare with /proc/kallsyms)\n",
			"kallsyms_lookup_name", kln_probe.addr);
		unregister_kprobe(&kln_probe);
	} else {
		pr_info("ksym_where: kallsyms_lookup_name not probeable: %d\n", ret);
	}

	for (i = 0; i < nnames; i++) {
		memset(&kp, 0, sizeof(kp));
		kp.symbol_name = names[i];
		kp.offset = offset;
		ret = register_kprobe(&kp);
		if (ret < 0) {
			pr_info("ksym_where: %-32s error %d\n", names[i], ret);
			continue;
		}
		pr_info("ksym_where: %-32s %px %pS\n", names[i], kp.addr, kp.addr);
		unregister_kprobe(&kp);
	}

	/* nothing to keep around */
	return -EAGAIN;
}

module_init(ksym_where_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Print symbol addresses as resolved by kprobes");
