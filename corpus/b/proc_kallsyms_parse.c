// SPDX-License-Identifier: GPL-2.0
/*
 * openwatch - log do_sys_openat2() callers.
 *
 * kallsyms_lookup_name() is not exported any more, so the address is
 * looked up by reading the kallsyms file from inside the module at load
 * time.  Needs root and kptr_restrict=0 or the addresses read back as 0.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sched.h>

#define CHUNK	4096

static char *target = "do_sys_openat2";
module_param(target, charp, 0444);
MODULE_PARM_DESC(target, "function to watch");

static int open_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("openwatch: %s[%d] dfd=%ld\n", current->comm,
		task_pid_nr(current), (long)regs->di);
	return 0;
}

static struct kprobe open_kp = {
	.pre_handler = open_pre,
};

static unsigned long scan_line(char *line, const char *want)
{
	unsigned long a;
	char type;
	char name[128];

	if (sscanf(line, "%lx %c %127s", &a, &type, name) != 3)
		return 0;
	if (type != 't' && type != 'T')
		return 0;
	return strcmp(name, want) ? 0 : a;
}

static unsigned long find_text_symbol(const char *want)
{
	struct file *f;
	char *buf, *line, *nl;
	unsigned long found = 0;
	size_t have = 0;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	if (IS_ERR(f)) {
		pr_err("openwatch: open failed: %ld\n", PTR_ERR(f));
		return 0;
	}

	buf = kmalloc(CHUNK + 1, GFP_KERNEL);
	if (!buf)
		goto out_close;

	while (!found && (n = kernel_read(f, buf + have, CHUNK - have, &pos)) > 0) {
		have += n;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			found = scan_line(line, want);
			if (found)
				break;
			line = nl + 1;
		}
		/* keep the partial last line for the next read */
		have = buf + have - line;
		memmove(buf, line, have);
	}

	kfree(buf);
out_close:
	filp_close(f, NULL);
	return found;
}

static int __init openwatch_init(void)
{
	int ret;

	open_kp.addr = (kprobe_opcode_t *)find_text_symbol(target);
	if (!open_kp.addr) {
		pr_err("openwatch: %s not found\n", target);
		return -ENOENT;
	}

	ret = register_kprobe(&open_kp);
	if (ret < 0) {
		pr_err("openwatch: register_kprobe: %d\n", ret);
		return ret;
	}
	pr_info("openwatch: watching %s at %px\n", target, open_kp.addr);
	return 0;
}

static void __exit openwatch_exit(void)
{
	unregister_kprobe(&open_kp);
}

module_init(openwatch_init);
module_exit(openwatch_exit);
MODULE_LICENSE("GPL");
