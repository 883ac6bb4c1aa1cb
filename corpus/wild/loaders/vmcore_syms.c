// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmcore_syms.c - written for probe-migrator's corpus in the style of a
 * post-mortem kernel debugger (user space): rebuild the symbol address
 * table of a crashed kernel from the kallsyms arrays found in its dump.
 * Modern kernels store 32-bit offsets from kallsyms_relative_base; the
 * right interpretation is chosen by checking which one reproduces _stext
 * as recorded in VMCOREINFO.  Nothing here places a probe.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct dump;	/* opened core file */
int dump_read(struct dump *d, uint64_t kaddr, void *buf, size_t len);
int vmcoreinfo_u64(struct dump *d, const char *key, uint64_t *val);

struct ksyms_loc {
	uint64_t offsets;	/* address of kallsyms_offsets[] */
	uint64_t relative_base;	/* address of kallsyms_relative_base */
	uint32_t num_syms;
	uint32_t stext_index;	/* index of _stext in the name table */
};

static uint64_t as_relative(uint64_t base, uint32_t off)
{
	return base + off;
}

static uint64_t as_percpu(uint64_t base, uint32_t off)
{
	int32_t s = (int32_t)off;

	return s >= 0 ? (uint64_t)s : base - 1 - (uint64_t)(int64_t)~s;
}

/* returns a malloc'd array of num_syms addresses, NULL on error */
uint64_t *decode_kallsyms_offsets(struct dump *d, const struct ksyms_loc *loc)
{
	uint64_t base = 0, stext = 0, *addrs;
	uint32_t *raw;
	int percpu;

	if (dump_read(d, loc->relative_base, &base, sizeof(base)) ||
	    vmcoreinfo_u64(d, "SYMBOL(_stext)", &stext))
		return NULL;
	raw = calloc(loc->num_syms, sizeof(*raw));
	addrs = calloc(loc->num_syms, sizeof(*addrs));
	if (!raw || !addrs ||
	    dump_read(d, loc->offsets, raw, loc->num_syms * sizeof(*raw))) {
		free(raw);
		free(addrs);
		return NULL;
	}

	/* which encoding gives back _stext at its own index? */
	percpu = as_relative(base, raw[loc->stext_index]) != stext &&
		 as_percpu(base, raw[loc->stext_index]) == stext;

	for (uint32_t i = 0; i < loc->num_syms; i++)
		addrs[i] = percpu ? as_percpu(base, raw[i]) : as_relative(base, raw[i]);
	free(raw);
	return addrs;
}
