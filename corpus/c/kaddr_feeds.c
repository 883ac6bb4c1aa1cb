// SPDX-License-Identifier: GPL-2.0
/*
 * kaddr_feeds.c - three ways a module is handed the address of
 * kallsyms_lookup_name() from outside, in the styles found in hobby modules:
 *
 *   make KLN_ADDR=0x$(grep ' kallsyms_lookup_name$' /proc/kallsyms | cut -d' ' -f1)
 *   insmod kaddr_feeds.ko kln=0x...
 *   echo ffffffff... > /sys/kernel/debug/kaddr_feeds/kln
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/uaccess.h>

typedef unsigned long (*kln_fn)(const char *name);

#ifdef KLN_ADDR
static kln_fn lookup = (kln_fn)KLN_ADDR;
#else
static kln_fn lookup;
#endif

static unsigned long kln_param;
module_param_named(kln, kln_param, ulong, 0400);
MODULE_PARM_DESC(kln, "address of kallsyms_lookup_name (see /proc/kallsyms)");

static struct dentry *dir;

static ssize_t kln_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[24];
	unsigned long addr;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (kstrtoul(strim(buf), 16, &addr))
		return -EINVAL;
	lookup = (kln_fn)addr;
	return len;
}

static const struct file_operations kln_fops = {
	.owner = THIS_MODULE,
	.write = kln_write,
};

static int __init kaddr_feeds_init(void)
{
	unsigned long sct;

	if (!lookup && kln_param)
		lookup = (kln_fn)kln_param;
	dir = debugfs_create_dir("kaddr_feeds", NULL);
	debugfs_create_file("kln", 0200, dir, NULL, &kln_fops);
	sct = lookup ? lookup("sys_call_table") : 0;
	pr_info("kaddr_feeds: sys_call_table at %lx\n", sct);
	return 0;
}

static void __exit kaddr_feeds_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(kaddr_feeds_init);
module_exit(kaddr_feeds_exit);
MODULE_LICENSE("GPL");
