// SPDX-License-Identifier: GPL-2.0
/*
 * kp_resolver_cast.c - written for probe-migrator's corpus in the style of a
 * small "resolver" library shared by hobby modules: the caller (another file)
 * hands it the name "kallsyms_lookup_name"; the probe's address is then
 * called in place whenever a symbol is wanted.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>

static struct kprobe res_kp;

int res_setup(const char *lookup_fn)
{
	res_kp.symbol_name = lookup_fn;
	return register_kprobe(&res_kp);
}

void res_teardown(void)
{
	unregister_kprobe(&res_kp);
}

unsigned long res_lookup(const char *sym)
{
	if (!res_kp.addr)
		return 0;
	return ((unsigned long (*)(const char *))res_kp.addr)(sym);
}
