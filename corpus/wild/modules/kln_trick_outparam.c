// SPDX-License-Identifier: GPL-2.0
/*
 * kln_trick_outparam.c - written for probe-migrator's corpus in the style of
 * a networking research module: a small helper probes the lookup function
 * and hands the harvested pointer back through an out-parameter.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

typedef unsigned long (*kln_fn_t)(const char *name);

static int fetch_kln(kln_fn_t *out)
{
	struct kprobe probe = {
		.symbol_name = "kallsyms_lookup_name",
	};
	int rc = register_kprobe(&probe);

	if (rc)
		return rc;
	*out = (kln_fn_t)probe.addr;
	unregister_kprobe(&probe);
	return 0;
}

static void *xs_map_get;
static void *xs_redirect;

static int __init xs_init(void)
{
	kln_fn_t resolve;
	int rc;

	rc = fetch_kln(&resolve);
	if (rc) {
		pr_err("xs: cannot find the lookup helper (%d)\n", rc);
		return rc;
	}
	xs_map_get = (void *)resolve("bpf_map_get");
	xs_redirect = (void *)resolve("xdp_do_generic_redirect");
	if (!xs_map_get || !xs_redirect)
		return -ENOENT;
	pr_info("xs: hooks resolved\n");
	return 0;
}

static void __exit xs_exit(void)
{
}

module_init(xs_init);
module_exit(xs_exit);
MODULE_LICENSE("GPL");
