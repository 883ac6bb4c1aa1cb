// SPDX-License-Identifier: GPL-2.0
/*
 * symres.c - ktrace: exit/read/open tracing with our own symbol resolution
 *
 * kallsyms_lookup_name() is no longer exported (5.7+), so we resolve
 * symbols ourselves: first from the table below, which gen-symtab.sh
 * produces from the target kernel's System.map, then from the map files
 * on disk.
 */
#define pr_fmt(fmt) "ktrace: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

struct ksym {
	unsigned long	addr;
	const char	*name;
};

/* 5.10.0-26-amd64, booted with nokaslr */
static const struct ksym builtin_syms[] = {
	{ 0xffffffff81080e40UL, "do_exit" },
	{ 0xffffffff8108d2f0UL, "do_group_exit" },
	{ 0xffffffff81307a80UL, "vfs_read" },
	{ 0xffffffff81307d40UL, "vfs_write" },
	{ 0xffffffff81a0c5b0UL, "security_file_open" },
};

static const char * const map_files[] = {
	"/proc/kallsyms",
	"/boot/System.map",
};

static unsigned long builtin_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtin_syms); i++)
		if (strcmp(builtin_syms[i].name, name) == 0)
			return builtin_syms[i].addr;
	return 0;
}

/*
 * Lines look like "ffffffff81080e40 T do_exit", with an optional
 * "\t[module]" suffix in /proc/kallsyms.
 */
static unsigned long map_file_lookup(const char *path, const char *name)
{
	size_t len = strlen(name);
	unsigned long found = 0;
	char *buf, *line, *next;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return 0;

	buf = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	if (!buf)
		goto out;

	while (!found && (n = kernel_read(f, buf, PAGE_SIZE, &pos)) > 0) {
		buf[n] = '\0';
		/* don't split a line across two reads */
		next = strrchr(buf, '\n');
		if (!next)
			break;
		pos -= (buf + n) - (next + 1);
		*next = '\0';

		for (line = buf; line; line = next) {
			char *sym;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (strlen(line) < 20)
				continue;
			sym = line + 19;
			if (strncmp(sym, name, len) == 0 &&
			    (sym[len] == '\0' || sym[len] == '\t')) {
				line[16] = '\0';
				if (kstrtoul(line, 16, &found))
					found = 0;
				break;
			}
		}
	}
	kfree(buf);
out:
	filp_close(f, NULL);
	return found;
}

static int exit_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("exit: %s[%d] code %ld\n", current->comm, task_pid_nr(current),
		(long)regs_get_kernel_argument(regs, 0));
	return 0;
}

static int read_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file = (struct file *)regs_get_kernel_argument(regs, 0);

	if (file && file->f_path.dentry)
		pr_debug("read: %s %pd\n", current->comm, file->f_path.dentry);
	return 0;
}

static int open_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_debug("open: %s[%d]\n", current->comm, task_pid_nr(current));
	return 0;
}

static struct kprobe exit_kp = { .pre_handler = exit_pre };
static struct kprobe read_kp = { .pre_handler = read_pre };
static struct kprobe open_kp = { .pre_handler = open_pre };

static int __init ktrace_init(void)
{
	unsigned long read_at, open_at = 0;
	char path[96];
	int i, ret;

	exit_kp.addr = (kprobe_opcode_t *)builtin_lookup("do_exit");

	read_at = builtin_lookup("vfs_read");
	read_kp.addr = (kprobe_opcode_t *)read_at;

	/* not in the table for every kernel we ship to: go to disk */
	for (i = 0; !open_at && i < ARRAY_SIZE(map_files); i++)
		open_at = map_file_lookup(map_files[i], "do_sys_openat2");
	if (!open_at) {
		snprintf(path, sizeof(path), "/boot/System.map-%s",
			 utsname()->release);
		open_at = map_file_lookup(path, "do_sys_openat2");
	}
	if (!open_at) {
		pr_err("do_sys_openat2 not found in /proc/kallsyms or System.map\n");
		return -ENOENT;
	}
	open_kp.addr = (kprobe_opcode_t *)open_at;

	ret = register_kprobe(&exit_kp);
	if (ret)
		return ret;
	ret = register_kprobe(&read_kp);
	if (ret)
		goto out_exit;
	ret = register_kprobe(&open_kp);
	if (ret)
		goto out_read;
	return 0;

out_read:
	unregister_kprobe(&read_kp);
out_exit:
	unregister_kprobe(&exit_kp);
	return ret;
}

static void __exit ktrace_exit(void)
{
	unregister_kprobe(&open_kp);
	unregister_kprobe(&read_kp);
	unregister_kprobe(&exit_kp);
}

module_init(ktrace_init);
module_exit(ktrace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktrace symbol resolution and basic probes");
