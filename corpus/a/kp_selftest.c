/*
 * kp_selftest.c - smoke test for kprobes on a new board port.
 *
 * Plants a probe on a function of this very module, calls it a few
 * times and checks that the handler ran; then does the same with an
 * exported kernel function (vfs_fsync) through a file we open ourselves.
 *
 * Author: René Lefèvre <rlefevre@example.org>
 * Relecture : Hélène D.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/err.h>

static int selftest_hits;
static int fsync_hits;

static noinline int kp_selftest_target(int x)
{
	/* keep the compiler from folding this away */
	asm volatile("" : : "r"(x) : "memory");
	return x * 3 + 1;
}

static int selftest_pre(struct kprobe *p, struct pt_regs *regs)
{
	selftest_hits++;
	return 0;
}

static int fsync_pre(struct kprobe *p, struct pt_regs *regs)
{
	fsync_hits++;
	return 0;
}

static struct kprobe self_kp = {
	.pre_handler = selftest_pre,
};

static struct kprobe fsync_kp = {
	.addr = (kprobe_opcode_t *)&vfs_fsync,
	.pre_handler = fsync_pre,
};

static int __init kp_selftest_init(void)
{
	struct file *f;
	int i, ret, sum = 0;

	self_kp.addr = (kprobe_opcode_t *)kp_selftest_target;
	ret = register_kprobe(&self_kp);
	if (ret < 0) {
		pr_err("kp_selftest: register self probe: %d\n", ret);
		return ret;
	}
	for (i = 0; i < 5; i++)
		sum += kp_selftest_target(i);
	unregister_kprobe(&self_kp);
	pr_info("kp_selftest: self probe %s (%d/5 hits, sum %d)\n",
		selftest_hits == 5 ? "PASS" : "FAIL", selftest_hits, sum);

	ret = register_kprobe(&fsync_kp);
	if (ret < 0) {
		pr_err("kp_selftest: register fsync probe: %d\n", ret);
		return ret;
	}
	f = filp_open("/tmp/kp_selftest", O_CREAT | O_WRONLY, 0600);
	if (!IS_ERR(f)) {
		vfs_fsync(f, 0);
		filp_close(f, NULL);
	}
	unregister_kprobe(&fsync_kp);
	pr_info("kp_selftest: fsync probe %s (%d hits)\n",
		fsync_hits ? "PASS" : "FAIL", fsync_hits);
	return 0;
}

static void __exit kp_selftest_exit(void)
{
	pr_info("kp_selftest: bye\n");
}

module_init(kp_selftest_init);
module_exit(kp_selftest_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("Rene Lefevre <rlefevre@example.org>");
