// SPDX-License-Identifier: GPL-2.0
/*
 * clone_trace: log every kernel_clone() with the caller's comm and the
 * clone flags.
 *
 * TARGET_ADDR is kernel_clone from System.map of the test box
 * (6.1.0-56-amd64, booted with nokaslr).  Update it for other kernels.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#define TARGET_ADDR	0xffffffff810a0a60UL	/* kernel_clone */
#define TARGET_NAME	"kernel_clone"

static unsigned int verbose = 1;
module_param(verbose, uint, 0644);
MODULE_PARM_DESC(verbose, "log every call (1) or only count them (0)");

static unsigned long nr_clones;
static struct kprobe clone_probe;

static int clone_entry(struct kprobe *p, struct pt_regs *regs)
{
	/* first argument is struct kernel_clone_args * */
	struct kernel_clone_args *args = (struct kernel_clone_args *)regs->di;

	nr_clones++;
	if (verbose)
		pr_info("clone_trace: %s[%d] flags=%#llx\n",
			current->comm, task_pid_nr(current), args->flags);
	return 0;
}

static int __init clone_trace_init(void)
{
	int rc;

	clone_probe.addr = (kprobe_opcode_t *)TARGET_ADDR;
	clone_probe.offset = 0x5;	/* skip the call to __fentry__ */
	clone_probe.pre_handler = clone_entry;

	rc = register_kprobe(&clone_probe);
	if (rc < 0) {
		pr_err("clone_trace: cannot probe %s at %#lx: %d\n",
		       TARGET_NAME, TARGET_ADDR, rc);
		return rc;
	}
	pr_info("clone_trace: probing %s at %px\n", TARGET_NAME,
		clone_probe.addr);
	return 0;
}

static void __exit clone_trace_exit(void)
{
	unregister_kprobe(&clone_probe);
	pr_info("clone_trace: %lu clones\n", nr_clones);
}

module_init(clone_trace_init);
module_exit(clone_trace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kernel_clone tracer");
