// SPDX-License-Identifier: GPL-2.0
/*
 * umh_kallsyms.c - written for probe-migrator's corpus in the style of an
 * old filesystem porting layer: a user-mode helper greps /proc/kallsyms
 * with awk and writes the address back through a sysctl, which the kernel
 * side parses into a function pointer.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kmod.h>
#include <linux/sysctl.h>
#include <linux/wait.h>

#define ZMOD_KLN_CMD \
	"exec 0</dev/null 1>/proc/sys/kernel/zmod/kln 2>/dev/null; " \
	"awk '{ if ($3 == \"kallsyms_lookup_name\") print $1 }' " \
	"    /proc/kallsyms "

typedef unsigned long (*zmod_kln_t)(const char *name);
static zmod_kln_t zmod_kln;
static DECLARE_WAIT_QUEUE_HEAD(zmod_kln_wq);

static int zmod_kln_sysctl(struct ctl_table *t, int write, void *buf,
			   size_t *len, loff_t *pos)
{
	char text[32];
	unsigned long val;

	if (!write || *len >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, *len);
	text[*len] = '\0';
	if (kstrtoul(strim(text), 16, &val))
		return -EINVAL;
	zmod_kln = (zmod_kln_t)val;
	wake_up(&zmod_kln_wq);
	return 0;
}

static int zmod_fetch_kln(void)
{
	char *argv[] = { "/bin/sh", "-c", ZMOD_KLN_CMD, NULL };
	char *envp[] = { "HOME=/", "PATH=/sbin:/bin:/usr/bin", NULL };
	int rc;

	rc = call_usermodehelper(argv[0], argv, envp, UMH_WAIT_PROC);
	if (rc)
		return rc;
	if (!wait_event_timeout(zmod_kln_wq, zmod_kln != NULL, HZ))
		return -ETIMEDOUT;
	return 0;
}

static struct ctl_table zmod_table[] = {
	{
		.procname	= "kln",
		.mode		= 0200,
		.proc_handler	= zmod_kln_sysctl,
	},
	{ }
};

static struct ctl_table_header *zmod_hdr;

static int __init zmod_init(void)
{
	zmod_hdr = register_sysctl("kernel/zmod", zmod_table);
	if (!zmod_hdr)
		return -ENOMEM;
	return zmod_fetch_kln();
}

static void __exit zmod_exit(void)
{
	unregister_sysctl_table(zmod_hdr);
}

module_init(zmod_init);
module_exit(zmod_exit);
MODULE_LICENSE("GPL");
