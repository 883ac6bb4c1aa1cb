// SPDX-License-Identifier: GPL-2.0
/*
 * credwatch - flag suspicious credential changes
 *
 * Catches the classic payloads (commit_creds(prepare_kernel_cred(0)))
 * and unexpected setuid/setgid to root.  Runs on the 4.19 LTS machines:
 * commit_creds and prepare_kernel_cred are pinned for the nokaslr build,
 * the rest is found relative to the kernel text at load time.
 */
#define pr_fmt(fmt) "credwatch: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <linux/capability.h>
#include <asm/sections.h>

#define KSYM(name)	kallsyms_lookup_name(name)

#define CW_PROBE(fn, where)						\
	static int fn##_pre(struct kprobe *p, struct pt_regs *regs);	\
	static struct kprobe fn##_kp = {				\
		.addr		= (kprobe_opcode_t *)(where),		\
		.pre_handler	= fn##_pre,				\
	}

#define CW_SYM_PROBE(fn)						\
	static int fn##_pre(struct kprobe *p, struct pt_regs *regs);	\
	static struct kprobe fn##_kp = {				\
		.symbol_name	= #fn,					\
		.pre_handler	= fn##_pre,				\
	}

/* 4.19.0-27-amd64 */
CW_PROBE(commit_creds, 0xffffffff810a6c40UL);
CW_PROBE(prepare_kernel_cred, 0xffffffff810a7010UL);
CW_SYM_PROBE(override_creds);

/* offsets from _stext / _text, same build */
#define CW_OFF_SYS_SETUID	0x08d7b0
#define CW_OFF_NS_CAPABLE	0x0a1f40

static const struct cred *init_cred_p;
static bool log_capable;
module_param(log_capable, bool, 0644);

static unsigned long cw_text_addr(unsigned long off)
{
	return (unsigned long)_stext + off;
}

static int commit_creds_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct cred *new = (const struct cred *)regs->di;
	const struct cred *old = current_cred();

	if (uid_eq(new->euid, GLOBAL_ROOT_UID) &&
	    !uid_eq(old->euid, GLOBAL_ROOT_UID))
		pr_warn("%s[%d]: euid %u -> 0 via commit_creds\n",
			current->comm, task_pid_nr(current),
			from_kuid(&init_user_ns, old->euid));
	return 0;
}

static int prepare_kernel_cred_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (regs->di == 0)
		pr_warn("%s[%d]: prepare_kernel_cred(NULL)\n",
			current->comm, task_pid_nr(current));
	return 0;
}

static int override_creds_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (init_cred_p && (const struct cred *)regs->di == init_cred_p)
		pr_info("%s[%d]: override_creds(&init_cred)\n",
			current->comm, task_pid_nr(current));
	return 0;
}

static int cw_setid_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* __x64_sys_*: the real arguments are in the pt_regs passed in %rdi */
	const struct pt_regs *uregs = (const struct pt_regs *)regs->di;

	if (uregs->di == 0 && !uid_eq(current_euid(), GLOBAL_ROOT_UID))
		pr_warn("%s[%d]: %s(0) from uid %u\n", current->comm,
			task_pid_nr(current), p->symbol_name ? p->symbol_name : "setid",
			from_kuid(&init_user_ns, current_uid()));
	return 0;
}

static int cw_capable_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (log_capable && regs->si == CAP_SYS_MODULE)
		pr_info("%s[%d]: ns_capable(CAP_SYS_MODULE)\n",
			current->comm, task_pid_nr(current));
	return 0;
}

static struct kprobe setuid_kp = { .pre_handler = cw_setid_pre };
static struct kprobe setgid_kp = { .pre_handler = cw_setid_pre };
static struct kprobe capable_kp = { .pre_handler = cw_capable_pre };

static struct kprobe *cw_probes[] = {
	&commit_creds_kp,
	&prepare_kernel_cred_kp,
	&override_creds_kp,
	&setuid_kp,
	&setgid_kp,
	&capable_kp,
};

static int __init credwatch_init(void)
{
	int ret;

	init_cred_p = (const struct cred *)KSYM("init_cred");

	setuid_kp.addr = (kprobe_opcode_t *)cw_text_addr(CW_OFF_SYS_SETUID);
	setgid_kp.addr = (kprobe_opcode_t *)KSYM("__x64_sys_setgid");
	capable_kp.addr = (kprobe_opcode_t *)((unsigned long)_text +
					      CW_OFF_NS_CAPABLE);

	ret = register_kprobes(cw_probes, ARRAY_SIZE(cw_probes));
	if (ret) {
		pr_err("register_kprobes: %d\n", ret);
		return ret;
	}
	pr_info("watching commit_creds at %pS\n", commit_creds_kp.addr);
	return 0;
}

static void __exit credwatch_exit(void)
{
	unregister_kprobes(cw_probes, ARRAY_SIZE(cw_probes));
}

module_init(credwatch_init);
module_exit(credwatch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Log suspicious credential changes");
