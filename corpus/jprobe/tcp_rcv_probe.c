/*
 * tcp_rcv_probe.c - log every segment tcp_rcv_established() sees for one port.
 *
 * Written in the style of the old net/ipv4/tcp_probe.c: one jprobe, a void
 * entry handler that mirrors the probed function and ends in jprobe_return().
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tcp.h>
#include <net/sock.h>

static int port __read_mostly;
module_param(port, int, 0);
MODULE_PARM_DESC(port, "port to match (0: all)");

static void jtcp_rcv_established(struct sock *sk, struct sk_buff *skb,
				 const struct tcphdr *th, unsigned int len)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (port == 0 || ntohs(inet->inet_dport) == port)
		pr_info("tcp_rcv_probe: sk=%p skb=%p len=%u\n", sk, skb, len);

	jprobe_return();
}

static struct jprobe tcp_jprobe = {
	.kp = {
		.symbol_name	= "tcp_rcv_established",
	},
	.entry	= jtcp_rcv_established,
};

static int __init tcp_rcv_probe_init(void)
{
	int ret;

	ret = register_jprobe(&tcp_jprobe);
	if (ret) {
		pr_err("tcp_rcv_probe: register_jprobe failed (%d)\n", ret);
		return ret;
	}
	return 0;
}

static void __exit tcp_rcv_probe_exit(void)
{
	unregister_jprobe(&tcp_jprobe);
}

module_init(tcp_rcv_probe_init);
module_exit(tcp_rcv_probe_exit);
MODULE_LICENSE("GPL");
