// SPDX-License-Identifier: GPL-2.0
/*
 * clonetrace - print every kernel_clone() with its flags.
 *
 * The symbol address is taken from the System.map that matches the
 * running kernel, so the module keeps working across rebuilds as long as
 * the map is installed next to the image and KASLR is off.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/vmalloc.h>
#include <linux/utsname.h>
#include <linux/sched.h>

static char func[64] = "kernel_clone";
module_param_string(func, func, sizeof(func), 0444);

static unsigned long func_addr;

static int clone_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("clonetrace: %s[%d] %s\n", current->comm,
		task_pid_nr(current), p->symbol_name ? p->symbol_name : func);
	return 0;
}

static struct kprobe clone_kp = {
	.pre_handler = clone_pre,
};

static int parse_map(char *text, size_t len)
{
	char *p = text, *end = text + len;

	while (p < end) {
		char *eol = memchr(p, '\n', end - p);
		unsigned long a;
		char t, name[128];

		if (!eol)
			eol = end;
		*eol = '\0';
		if (sscanf(p, "%lx %c %127s", &a, &t, name) == 3 &&
		    (t == 'T' || t == 't') && !strcmp(name, func)) {
			func_addr = a;
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

static int load_system_map(void)
{
	char path[128];
	struct file *f;
	loff_t size, pos = 0;
	char *text;
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "/boot/System.map-%s", utsname()->release);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		pr_err("clonetrace: cannot open %s (%ld)\n", path, PTR_ERR(f));
		return PTR_ERR(f);
	}

	size = i_size_read(file_inode(f));
	if (size <= 0 || size > (64 << 20)) {
		ret = -EFBIG;
		goto out_close;
	}
	text = vmalloc(size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto out_close;
	}
	n = kernel_read(f, text, size, &pos);
	if (n != size) {
		ret = n < 0 ? n : -EIO;
		goto out_free;
	}
	text[size] = '\0';
	ret = parse_map(text, size);

out_free:
	vfree(text);
out_close:
	filp_close(f, NULL);
	return ret;
}

static int __init clonetrace_init(void)
{
	int ret;

	ret = load_system_map();
	if (ret) {
		pr_err("clonetrace: %s not found in System.map, is /boot mounted?\n",
		       func);
		return ret;
	}

	clone_kp.addr = (kprobe_opcode_t *)func_addr;
	ret = register_kprobe(&clone_kp);
	if (ret < 0) {
		pr_err("clonetrace: register_kprobe(%px): %d\n",
		       (void *)func_addr, ret);
		return ret;
	}
	return 0;
}

static void __exit clonetrace_exit(void)
{
	unregister_kprobe(&clone_kp);
}

module_init(clonetrace_init);
module_exit(clonetrace_exit);
MODULE_LICENSE("GPL");
