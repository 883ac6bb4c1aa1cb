// SPDX-License-Identifier: GPL-2.0
/*
 * tcplat - latency histograms for tcp_sendmsg() and tcp_recvmsg()
 *
 *   insmod tcplat.ko [port=443] [send_func=tcp_sendmsg] [recv_addr=0x...]
 *   cat /sys/kernel/debug/tcplat/hist
 *
 * recv_addr is for kernels where tcp_recvmsg only exists as a clone
 * (tcp_recvmsg.constprop.0 and the like) and cannot be found by name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_sock.h>

static char *send_func = "tcp_sendmsg";
module_param(send_func, charp, 0444);
MODULE_PARM_DESC(send_func, "function timed on the send side");

static unsigned long recv_addr;
module_param(recv_addr, ulong, 0444);
MODULE_PARM_DESC(recv_addr, "address of tcp_recvmsg if it can't be probed by name");

static ushort port;
module_param(port, ushort, 0644);
MODULE_PARM_DESC(port, "only count sockets with this remote port (0 = all)");

#define TL_BUCKETS 32

static atomic64_t send_hist[TL_BUCKETS];
static atomic64_t recv_hist[TL_BUCKETS];
static atomic64_t cwnd_calls;
static struct dentry *tl_dir;

struct tl_call {
	ktime_t start;
	struct sock *sk;
};

static unsigned long (*tl_kln)(const char *name);

static unsigned long tl_lookup(const char *name)
{
	if (!tl_kln) {
		struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

		if (register_kprobe(&kp) < 0)
			return 0;
		tl_kln = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	return tl_kln(name);
}

static bool tl_wanted(const struct sock *sk)
{
	if (!sk)
		return false;
	return !port || ntohs(inet_sk(sk)->inet_dport) == port;
}

static int tl_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tl_call *c = (struct tl_call *)ri->data;

	c->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	if (!tl_wanted(c->sk))
		return 1;	/* don't run the return handler */
	c->start = ktime_get();
	return 0;
}

static void tl_account(atomic64_t *hist, struct kretprobe_instance *ri)
{
	struct tl_call *c = (struct tl_call *)ri->data;
	s64 ns = ktime_to_ns(ktime_sub(ktime_get(), c->start));
	unsigned int b = ns > 0 ? ilog2(ns) : 0;

	atomic64_inc(&hist[min_t(unsigned int, b, TL_BUCKETS - 1)]);
}

static int tl_send_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	tl_account(send_hist, ri);
	return 0;
}

static int tl_recv_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	tl_account(recv_hist, ri);
	return 0;
}

static struct kretprobe send_krp = {
	.handler	= tl_send_ret,
	.entry_handler	= tl_entry,
	.data_size	= sizeof(struct tl_call),
	.maxactive	= 64,
};

static struct kretprobe recv_krp = {
	.handler	= tl_recv_ret,
	.entry_handler	= tl_entry,
	.data_size	= sizeof(struct tl_call),
	.maxactive	= 64,
};

static int cwnd_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic64_inc(&cwnd_calls);
	return 0;
}

static struct kprobe cwnd_kp = {
	.symbol_name	= "tcp_cong_avoid_ai",
	.pre_handler	= cwnd_pre,
};

static int tl_show(struct seq_file *m, void *v)
{
	int i;

	seq_puts(m, "log2(ns)        send        recv\n");
	for (i = 0; i < TL_BUCKETS; i++)
		seq_printf(m, "%8d %11lld %11lld\n", i,
			   (long long)atomic64_read(&send_hist[i]),
			   (long long)atomic64_read(&recv_hist[i]));
	seq_printf(m, "cong_avoid_ai calls: %lld\n",
		   (long long)atomic64_read(&cwnd_calls));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tl);

static int __init tcplat_init(void)
{
	int ret;

	send_krp.kp.symbol_name = send_func;
	if (recv_addr)
		recv_krp.kp.addr = (kprobe_opcode_t *)recv_addr;
	else
		recv_krp.kp.symbol_name = "tcp_recvmsg";

	/*
	 * Several distro kernels carry a second, static copy of
	 * tcp_cong_avoid_ai in a congestion module; we want the core one.
	 */
	cwnd_kp.addr = (kprobe_opcode_t *)tl_lookup("tcp_cong_avoid_ai");

	ret = register_kretprobe(&send_krp);
	if (ret < 0) {
		pr_err("%s: %d\n", send_func, ret);
		return ret;
	}
	ret = register_kretprobe(&recv_krp);
	if (ret < 0) {
		pr_err("tcp_recvmsg: %d\n", ret);
		goto out_send;
	}
	ret = register_kprobe(&cwnd_kp);
	if (ret < 0) {
		pr_err("tcp_cong_avoid_ai: %d\n", ret);
		goto out_recv;
	}

	tl_dir = debugfs_create_dir("tcplat", NULL);
	debugfs_create_file("hist", 0444, tl_dir, NULL, &tl_fops);
	pr_info("send probe at %pS, recv probe at %pS\n",
		send_krp.kp.addr, recv_krp.kp.addr);
	return 0;

out_recv:
	unregister_kretprobe(&recv_krp);
out_send:
	unregister_kretprobe(&send_krp);
	return ret;
}

static void __exit tcplat_exit(void)
{
	debugfs_remove_recursive(tl_dir);
	unregister_kprobe(&cwnd_kp);
	unregister_kretprobe(&recv_krp);
	unregister_kretprobe(&send_krp);
	if (send_krp.nmissed || recv_krp.nmissed)
		pr_info("missed %d/%d returns\n", send_krp.nmissed, recv_krp.nmissed);
}

module_init(tcplat_init);
module_exit(tcplat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCP send/recv latency histograms");
