// SPDX-License-Identifier: GPL-2.0
/*
 * tcprtt - connect() latency and smoothed RTT per IPv4 destination
 *
 * An earlier version found tcp_rtt_estimator() with kallsyms_lookup_name()
 * and probed it at a fixed offset.  That broke with nearly every distro
 * kernel update (and the function is inlined on most builds), so the RTT
 * is now sampled on entry to tcp_rcv_established() instead.
 */
#define pr_fmt(fmt) "tcprtt: " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_sock.h>

/* host byte order */
struct dst_filter {
	u32 addr;
	u32 mask;
};

/* private ranges and loopback are not interesting */
static const struct dst_filter ignore[] = {
	{ .addr = 0x0a000000, .mask = 0xff000000 },
	{ .addr = 0xac100000, .mask = 0xfff00000 },
	{ .addr = 0xc0a80000, .mask = 0xffff0000 },
	{ .addr = 0x7f000000, .mask = 0xff000000 },
};

struct conn_args {
	struct sock	*sk;
	u64		start_ns;
};

struct dst_stat {
	struct hlist_node	node;
	u32			addr;
	u64			connects;
	u64			connect_ns;
	u32			srtt_us;
};

static DEFINE_HASHTABLE(dst_table, 8);
static DEFINE_SPINLOCK(dst_lock);
static atomic_t dst_dropped = ATOMIC_INIT(0);

static bool ignored(u32 daddr)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ignore); i++)
		if ((daddr & ignore[i].mask) == ignore[i].addr)
			return true;
	return false;
}

/* called with dst_lock held */
static struct dst_stat *dst_get(u32 daddr)
{
	struct dst_stat *st;

	hash_for_each_possible(dst_table, st, node, daddr)
		if (st->addr == daddr)
			return st;

	st = kzalloc(sizeof(*st), GFP_ATOMIC);
	if (!st) {
		atomic_inc(&dst_dropped);
		return NULL;
	}
	st->addr = daddr;
	hash_add(dst_table, &st->node, daddr);
	return st;
}

static int connect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct conn_args *a = (struct conn_args *)ri->data;

	a->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	a->start_ns = ktime_get_ns();
	return 0;
}

static int connect_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct conn_args *a = (struct conn_args *)ri->data;
	struct dst_stat *st;
	u32 daddr;

	if (regs_return_value(regs) != 0 || !a->sk)
		return 0;
	daddr = ntohl(inet_sk(a->sk)->inet_daddr);
	if (ignored(daddr))
		return 0;

	spin_lock(&dst_lock);
	st = dst_get(daddr);
	if (st) {
		st->connects++;
		st->connect_ns += ktime_get_ns() - a->start_ns;
	}
	spin_unlock(&dst_lock);
	return 0;
}

static struct kretprobe connect_rp = {
	.kp.symbol_name	= "tcp_v4_connect",
	.entry_handler	= connect_entry,
	.handler	= connect_ret,
	.data_size	= sizeof(struct conn_args),
	.maxactive	= 32,
};

static int est_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct dst_stat *st;
	unsigned long flags;
	u32 daddr;

	if (!sk || sk->sk_family != AF_INET)
		return 0;
	daddr = ntohl(sk->sk_daddr);
	if (ignored(daddr))
		return 0;

	spin_lock_irqsave(&dst_lock, flags);
	st = dst_get(daddr);
	if (st)
		st->srtt_us = tcp_sk(sk)->srtt_us >> 3;
	spin_unlock_irqrestore(&dst_lock, flags);
	return 0;
}

static struct kprobe est_kp = {
	.symbol_name	= "tcp_rcv_established",
	.pre_handler	= est_pre,
};

static int __init tcprtt_init(void)
{
	int ret;

	ret = register_kretprobe(&connect_rp);
	if (ret < 0) {
		pr_err("tcp_v4_connect: %d\n", ret);
		return ret;
	}
	ret = register_kprobe(&est_kp);
	if (ret < 0) {
		pr_err("tcp_rcv_established: %d\n", ret);
		unregister_kretprobe(&connect_rp);
		return ret;
	}
	pr_info("probes at %pS and %pS\n", connect_rp.kp.addr, est_kp.addr);
	return 0;
}

static void __exit tcprtt_exit(void)
{
	struct dst_stat *st;
	struct hlist_node *tmp;
	int bkt;

	unregister_kprobe(&est_kp);
	unregister_kretprobe(&connect_rp);

	hash_for_each_safe(dst_table, bkt, tmp, st, node) {
		__be32 a = htonl(st->addr);

		pr_info("%pI4: %llu connects, avg %llu us, srtt %u us\n", &a,
			st->connects,
			st->connects ? div64_u64(st->connect_ns, st->connects * 1000) : 0,
			st->srtt_us);
		hash_del(&st->node);
		kfree(st);
	}
	if (atomic_read(&dst_dropped))
		pr_info("%d allocations failed\n", atomic_read(&dst_dropped));
}

module_init(tcprtt_init);
module_exit(tcprtt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCP connect latency and RTT per destination");
