// SPDX-License-Identifier: GPL-2.0
/*
 * reqprobe - place a kprobe where a user-space request says: by name, or by
 * address (for a function kallsyms does not list). The request carries both
 * fields; user space fills in exactly one, and the kernel rejects a request
 * that fills in both.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/slab.h>

struct probe_req {
	char symbol[KSYM_NAME_LEN];
	unsigned long address;
	unsigned int offset;
};

struct reqprobe {
	struct kprobe kp;
	char symbol[KSYM_NAME_LEN];
};

static int req_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("reqprobe: hit %pS\n", p->addr);
	return 0;
}

static struct reqprobe *reqprobe_add(const struct probe_req *req)
{
	struct reqprobe *rp;
	struct kprobe *kp;
	int ret;

	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	if (!rp)
		return ERR_PTR(-ENOMEM);
	kp = &rp->kp;
	strscpy(rp->symbol, req->symbol, sizeof(rp->symbol));
	kp->symbol_name = rp->symbol[0] ? rp->symbol : NULL;
	kp->addr = (kprobe_opcode_t *)req->address;
	kp->offset = req->offset;
	kp->pre_handler = req_pre;
	ret = register_kprobe(kp);
	if (ret) {
		kfree(rp);
		return ERR_PTR(ret);
	}
	return rp;
}

static void reqprobe_attach(struct kprobe *kp, const char *sym, kprobe_opcode_t *addr)
{
	kp->symbol_name = sym;
	kp->addr = addr;
	kp->pre_handler = req_pre;
	register_kprobe(kp);
}

static int __init reqprobe_init(void)
{
	return 0;
}

static void __exit reqprobe_exit(void)
{
}

module_init(reqprobe_init);
module_exit(reqprobe_exit);
MODULE_LICENSE("GPL");
