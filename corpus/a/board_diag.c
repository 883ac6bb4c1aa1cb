/*
 * board_diag.c - bring-up helper for the edge gateway board.
 *
 *  - reads the board ID byte from the EEPROM at 0x50 on i2c-0
 *  - maps the HPET block so timestamps can be taken without clocksource
 *  - logs i2c traffic and socket binds while the module is loaded
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/i2c.h>
#include <linux/io.h>
#include <linux/in.h>
#include <linux/socket.h>

struct mmio_window {
	void *addr;		/* physical base */
	void __iomem *regs;
	size_t len;
};

static struct mmio_window hpet;

static u64 hpet_now(void)
{
	return hpet.regs ? readq(hpet.regs + 0xf0) : 0;
}

static int read_board_id(u8 *id)
{
	struct i2c_adapter *adap;
	u8 reg = 0x00;
	struct i2c_msg msgs[2] = {
		{ .addr = 0x50, .flags = 0, .len = 1, .buf = &reg },
		{ .addr = 0x50, .flags = I2C_M_RD, .len = 1, .buf = id },
	};
	int ret;

	adap = i2c_get_adapter(0);
	if (!adap)
		return -ENODEV;
	ret = i2c_transfer(adap, msgs, ARRAY_SIZE(msgs));
	i2c_put_adapter(adap);
	return ret == ARRAY_SIZE(msgs) ? 0 : -EIO;
}

static int i2c_xfer_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct i2c_msg *msgs = (struct i2c_msg *)regs->si;
	int num = (int)regs->dx;

	if (num > 0)
		pr_info("board_diag: [%llu] i2c xfer to %#x, %d msgs\n",
			hpet_now(), msgs[0].addr, num);
	return 0;
}

static int bind_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sockaddr_in *addr = (struct sockaddr_in *)regs->si;

	if (addr->sin_family == AF_INET)
		pr_info("board_diag: [%llu] bind %pI4:%u\n", hpet_now(),
			&addr->sin_addr, ntohs(addr->sin_port));
	return 0;
}

static struct kprobe i2c_kp = {
	.symbol_name	= "i2c_transfer",
	.pre_handler	= i2c_xfer_pre,
};

static struct kprobe bind_kp = {
	.pre_handler	= bind_pre,
};

static int __init board_diag_init(void)
{
	u8 id = 0;
	int ret;

	hpet.addr = (void *)0xfed00000;
	hpet.len = 0x400;
	hpet.regs = ioremap((unsigned long)hpet.addr, hpet.len);

	if (read_board_id(&id) == 0)
		pr_info("board_diag: board id %#04x\n", id);

	ret = register_kprobe(&i2c_kp);
	if (ret)
		goto err_unmap;

	/* inet_bind, from System.map */
	bind_kp.addr = (kprobe_opcode_t *)0xffffffff818cb220;
	ret = register_kprobe(&bind_kp);
	if (ret)
		goto err_i2c;
	return 0;

err_i2c:
	unregister_kprobe(&i2c_kp);
err_unmap:
	if (hpet.regs)
		iounmap(hpet.regs);
	return ret;
}

static void __exit board_diag_exit(void)
{
	unregister_kprobe(&bind_kp);
	unregister_kprobe(&i2c_kp);
	if (hpet.regs)
		iounmap(hpet.regs);
}

module_init(board_diag_init);
module_exit(board_diag_exit);
MODULE_LICENSE("GPL");
