/*
 * net_hooks_tbl.c - poke at the socket layer on the lab router.
 *
 * One kprobe per hook, addresses straight out of
 * /boot/System.map-6.1.0-56-amd64 (kernel booted with nokaslr):
 *
 *   ffffffff818a85b0 T tcp_v4_connect
 *   ffffffff81885980 T inet_csk_accept
 *   ffffffff818bace0 T udp_sendmsg
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>

enum { H_CONNECT, H_ACCEPT, H_UDPSEND, H_MAX };

static DEFINE_PER_CPU(unsigned long [H_MAX], hook_cnt);

static const char * const hook_label[H_MAX] = {
	"connect", "accept", "udp_send",
};

static int on_connect(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(hook_cnt[H_CONNECT]);
	return 0;
}

static int on_accept(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(hook_cnt[H_ACCEPT]);
	return 0;
}

static int on_udp_send(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(hook_cnt[H_UDPSEND]);
	return 0;
}

static struct kprobe hooks[H_MAX] = {
	[H_CONNECT] = {
		.addr		= (kprobe_opcode_t *)0xffffffff818a85b0,
		.pre_handler	= on_connect,
	},
	[H_ACCEPT] = {
		.addr		= (kprobe_opcode_t *)0xffffffff81885980,
		.pre_handler	= on_accept,
	},
	[H_UDPSEND] = {
		.addr		= (kprobe_opcode_t *)0xffffffff818bace0,
		.pre_handler	= on_udp_send,
	},
};

static struct kprobe *hook_list[H_MAX] = {
	&hooks[H_CONNECT], &hooks[H_ACCEPT], &hooks[H_UDPSEND],
};

static int __init net_hooks_init(void)
{
	int err = register_kprobes(hook_list, ARRAY_SIZE(hook_list));

	if (err)
		pr_err("net_hooks: register_kprobes: %d\n", err);
	return err;
}

static void __exit net_hooks_exit(void)
{
	int h, cpu;

	unregister_kprobes(hook_list, ARRAY_SIZE(hook_list));
	for (h = 0; h < H_MAX; h++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu(hook_cnt, cpu)[h];
		pr_info("net_hooks: %-8s %lu\n", hook_label[h], sum);
	}
}

module_init(net_hooks_init);
module_exit(net_hooks_exit);
MODULE_LICENSE("GPL");
