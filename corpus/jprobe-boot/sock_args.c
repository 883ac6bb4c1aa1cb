/*
 * sock_args.c - two jprobes registered together with register_jprobes(), on
 * the socket send and receive paths, logging what the guest program pm-args
 * passes to sendto(2) and recvfrom(2).
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/string.h>

static int jsys_sendto(int fd, void __user *buff, size_t len, unsigned int flags,
		       struct sockaddr __user *addr, int addr_len)
{
	if (strcmp(current->comm, "pm-args") == 0)
		pr_info("pm-args: __sys_sendto fd=%d buff=0x%lx len=%zu flags=%u addr_len=%d\n",
			fd, (unsigned long)buff, len, flags, addr_len);
	jprobe_return();
	return 0;
}

static int jsys_recvfrom(int fd, void __user *ubuf, size_t size, unsigned int flags,
			 struct sockaddr __user *addr, int __user *addr_len)
{
	if (strcmp(current->comm, "pm-args") == 0)
		pr_info("pm-args: __sys_recvfrom fd=%d ubuf=0x%lx size=%zu flags=%u\n",
			fd, (unsigned long)ubuf, size, flags);
	jprobe_return();
	return 0;
}

static struct jprobe send_jp = {
	.entry = jsys_sendto,
	.kp.symbol_name = "__sys_sendto",
};

static struct jprobe recv_jp = {
	.entry = jsys_recvfrom,
	.kp.symbol_name = "__sys_recvfrom",
};

static struct jprobe *sock_jps[] = { &send_jp, &recv_jp };

static int __init sock_args_init(void)
{
	return register_jprobes(sock_jps, ARRAY_SIZE(sock_jps));
}

static void __exit sock_args_exit(void)
{
	unregister_jprobes(sock_jps, ARRAY_SIZE(sock_jps));
}

module_init(sock_args_init);
module_exit(sock_args_exit);
MODULE_LICENSE("GPL");
