// SPDX-License-Identifier: GPL-2.0
/*
 * sysmap_prefix_read.c - written for probe-migrator's corpus in the style of
 * a hobby keylogger: the map file name is built from a path prefix and the
 * running release, then read line by line inside the kernel to find the
 * syscall table. No probe API appears anywhere in this file.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>

static unsigned long sm_find(const char *want)
{
	char line[160];
	unsigned long val = 0;
	loff_t pos = 0;
	struct file *f;
	char *path;
	int n = 0;

	path = kasprintf(GFP_KERNEL, "/boot/System.map-%s", utsname()->release);
	if (!path)
		return 0;
	f = filp_open(path, O_RDONLY, 0);
	kfree(path);
	if (IS_ERR(f))
		return 0;

	while (kernel_read(f, line + n, 1, &pos) == 1) {
		if (line[n] != '\n' && n < (int)sizeof(line) - 2) {
			n++;
			continue;
		}
		line[n + 1] = '\0';
		if (strstr(line, want)) {
			line[16] = '\0';
			if (kstrtoul(line, 16, &val))
				val = 0;
			break;
		}
		n = 0;
	}
	filp_close(f, NULL);
	return val;
}

static void **sm_table;

static int __init sm_init(void)
{
	sm_table = (void **)sm_find(" sys_call_table\n");
	if (!sm_table)
		return -ENOENT;
	pr_info("sm: table at %px\n", sm_table);
	return 0;
}

static void __exit sm_exit(void)
{
}

module_init(sm_init);
module_exit(sm_exit);
MODULE_LICENSE("GPL");
