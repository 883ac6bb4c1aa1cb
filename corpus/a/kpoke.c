/*
 * kpoke.c - drop up to three counting probes at arbitrary places.
 *
 *   insmod kpoke.ko addr=0xffffffff81367640    # any text address
 *
 * Besides the user-supplied address it always probes a spot inside
 * do_sys_openat2 (0x11 bytes in) and vfs_read, given as an
 * offset from _text (0x3669e0 in the 6.1.0-56-amd64 System.map).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <asm/sections.h>

static unsigned long addr;
module_param(addr, ulong, 0444);
MODULE_PARM_DESC(addr, "extra address to probe (0 = none)");

static unsigned long hits[3];

static int poke_pre(struct kprobe *p, struct pt_regs *regs);

static struct kprobe poke_kps[3] = {
	{ .pre_handler = poke_pre },
	{ .pre_handler = poke_pre },
	{ .pre_handler = poke_pre },
};

static struct kprobe *mid_kp = &poke_kps[0];
static struct kprobe *read_kp = &poke_kps[1];
static struct kprobe *user_kp = &poke_kps[2];

static int poke_pre(struct kprobe *p, struct pt_regs *regs)
{
	hits[p - poke_kps]++;
	return 0;
}

static int __init kpoke_init(void)
{
	int i, ret;

	mid_kp->addr = (kprobe_opcode_t *)(kallsyms_lookup_name("do_sys_openat2") + 0x11);
	read_kp->addr = (kprobe_opcode_t *)((unsigned long)_text + 0x3669e0);

	for (i = 0; i < 2; i++) {
		ret = register_kprobe(&poke_kps[i]);
		if (ret < 0)
			goto fail;
	}

	if (addr) {
		user_kp->addr = (kprobe_opcode_t *)addr;
		ret = register_kprobe(user_kp);
		if (ret < 0)
			goto fail;
		i++;
	}

	pr_info("kpoke: %d probe(s) planted\n", i);
	return 0;

fail:
	pr_err("kpoke: probe %d failed: %d\n", i, ret);
	while (--i >= 0)
		unregister_kprobe(&poke_kps[i]);
	return ret;
}

static void __exit kpoke_exit(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (!poke_kps[i].addr)
			continue;
		unregister_kprobe(&poke_kps[i]);
		pr_info("kpoke: %pS: %lu hits\n", poke_kps[i].addr, hits[i]);
	}
}

module_init(kpoke_init);
module_exit(kpoke_exit);
MODULE_LICENSE("GPL");
