// SPDX-License-Identifier: GPL-2.0
/*
 * tmp102mon - poll a TMP102 temperature sensor and count i2c transfer
 * errors on its bus (kretprobe on i2c_transfer).
 *
 * For boards without a DT node for the sensor:
 *   insmod tmp102mon.ko bus=1 addr=0x49 interval_ms=2000
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/i2c.h>
#include <linux/kprobes.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>

#define TMP102_ADDR		0x48
#define TMP102_REG_TEMP		0x00

static int bus = 1;
module_param(bus, int, 0444);
MODULE_PARM_DESC(bus, "i2c adapter number");

static unsigned short addr = TMP102_ADDR;
module_param(addr, ushort, 0444);
MODULE_PARM_DESC(addr, "7-bit address of the sensor");

static unsigned int interval_ms = 5000;
module_param(interval_ms, uint, 0644);

static struct i2c_client *client;
static struct delayed_work poll_work;
static atomic_t xfer_calls = ATOMIC_INIT(0);
static atomic_t xfer_errors = ATOMIC_INIT(0);

struct xfer_ctx {
	struct i2c_adapter *adap;
};

static int xfer_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct xfer_ctx *c = (struct xfer_ctx *)ri->data;

	c->adap = (struct i2c_adapter *)regs_get_kernel_argument(regs, 0);
	return 0;
}

static int xfer_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct xfer_ctx *c = (struct xfer_ctx *)ri->data;
	long ret = (long)regs_return_value(regs);

	if (!client || c->adap != client->adapter)
		return 0;
	atomic_inc(&xfer_calls);
	if (ret < 0)
		atomic_inc(&xfer_errors);
	return 0;
}

static struct kretprobe xfer_rp = {
	.kp = {
		.symbol_name = "i2c_transfer",
	},
	.entry_handler	= xfer_entry,
	.handler	= xfer_ret,
	.data_size	= sizeof(struct xfer_ctx),
	.maxactive	= 8,
};

static int tmp102_read_temp(struct i2c_client *c, int *mdeg)
{
	u8 reg = TMP102_REG_TEMP;
	u8 buf[2];
	struct i2c_msg msgs[2] = {
		{ .addr = c->addr, .flags = 0, .len = 1, .buf = &reg },
		{ .addr = c->addr, .flags = I2C_M_RD, .len = 2, .buf = buf },
	};
	int ret;

	ret = i2c_transfer(c->adapter, msgs, ARRAY_SIZE(msgs));
	if (ret != ARRAY_SIZE(msgs))
		return ret < 0 ? ret : -EIO;
	/* 12 bit, 0.0625 degC per LSB */
	*mdeg = (((s16)((buf[0] << 8) | buf[1])) >> 4) * 625 / 10;
	return 0;
}

/* is anything answering at @a? (read one byte, look for the ACK) */
static bool tmp102_present(struct i2c_adapter *adap, unsigned short a)
{
	struct i2c_msg m;
	u8 dummy;

	m.addr = a;
	m.flags = I2C_M_RD;
	m.len = 1;
	m.buf = &dummy;
	return i2c_transfer(adap, &m, 1) == 1;
}

static void poll_fn(struct work_struct *w)
{
	int mdeg;

	if (tmp102_read_temp(client, &mdeg) == 0)
		pr_info("tmp102mon: %d.%03d C (%d transfers, %d errors)\n",
			mdeg / 1000, abs(mdeg % 1000),
			atomic_read(&xfer_calls), atomic_read(&xfer_errors));
	schedule_delayed_work(&poll_work, msecs_to_jiffies(interval_ms));
}

static int __init tmp102mon_init(void)
{
	struct i2c_board_info info = {
		I2C_BOARD_INFO("tmp102", TMP102_ADDR),
	};
	struct i2c_adapter *adap;
	int ret;

	adap = i2c_get_adapter(bus);
	if (!adap)
		return -ENODEV;
	if (!tmp102_present(adap, addr)) {
		pr_err("tmp102mon: nothing at %d-%04x\n", bus, addr);
		i2c_put_adapter(adap);
		return -ENODEV;
	}

	info.addr = addr;
	client = i2c_new_client_device(adap, &info);
	i2c_put_adapter(adap);
	if (IS_ERR(client))
		return PTR_ERR(client);

	ret = register_kretprobe(&xfer_rp);
	if (ret < 0) {
		pr_warn("tmp102mon: no i2c_transfer probe (%d), error counts off\n", ret);
	} else {
		pr_info("tmp102mon: i2c_transfer probed at %pS\n", xfer_rp.kp.addr);
	}

	INIT_DELAYED_WORK(&poll_work, poll_fn);
	schedule_delayed_work(&poll_work, 0);
	return 0;
}

static void __exit tmp102mon_exit(void)
{
	cancel_delayed_work_sync(&poll_work);
	if (xfer_rp.kp.addr)
		unregister_kretprobe(&xfer_rp);
	i2c_unregister_device(client);
}

module_init(tmp102mon_init);
module_exit(tmp102mon_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TMP102 poller with i2c error accounting");
