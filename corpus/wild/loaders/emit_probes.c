// SPDX-License-Identifier: GPL-2.0
/*
 * emit_probes.c - written for probe-migrator's corpus in the style of a
 * tracing translator's back end (C in the manner of a script-to-module
 * compiler) that prints the registration code of a generated probe module.
 * Probe sites come from the front end as module/section/offset triples or
 * as plain symbol names.
 */
#include <stdio.h>
#include <string.h>

struct site {
	const char *module;	/* "kernel" or a module name */
	const char *section;	/* ".text", "_stext" ... */
	unsigned long offset;	/* from the section start */
	const char *symbol;	/* NULL when only an offset is known */
	int is_return;
};

static void emit_site(FILE *out, int i, const struct site *s)
{
	fprintf(out, "\t/* site %d: %s:%s+0x%lx */\n", i, s->module,
		s->section, s->offset);
	if (s->symbol) {
		fprintf(out, "\tp[%d].kp.symbol_name = \"%s\";\n", i, s->symbol);
		fprintf(out, "\tp[%d].kp.offset = 0x%lx;\n", i, s->offset);
	} else if (!strcmp(s->module, "kernel")) {
		fprintf(out, "\tbase = trc_section_base(\"%s\", \"%s\");\n",
			s->module, s->section);
		fprintf(out, "\tp[%d].kp.addr = (kprobe_opcode_t *)(base + 0x%lx);\n",
			i, s->offset);
	} else {
		fprintf(out, "\tp[%d].kp.addr = (kprobe_opcode_t *)trc_kmod_relocate(\"%s\", \"%s\", 0x%lx);\n",
			i, s->module, s->section, s->offset);
	}
	fprintf(out, "\trc = %s(&p[%d]);\n",
		s->is_return ? "register_kretprobe" : "register_kprobe", i);
	fprintf(out, "\tif (rc)\n\t\tpr_warn(\"site %d: %%d\\n\", rc);\n", i);
}

void emit_init(FILE *out, const struct site *sites, int n)
{
	int i;

	fprintf(out, "static int __init trc_init(void)\n{\n");
	fprintf(out, "\tunsigned long base;\n\tint rc;\n\n");
	for (i = 0; i < n; i++)
		emit_site(out, i, &sites[i]);
	fprintf(out, "\treturn 0;\n}\n");
}

int main(void)
{
	static const struct site demo[] = {
		{ "kernel", "_stext", 0x3a1c40, NULL, 0 },
		{ "kernel", ".text", 0x18, "vfs_read", 0 },
		{ "nf_conntrack", ".text", 0x9c0, NULL, 1 },
	};

	emit_init(stdout, demo, 3);
	return 0;
}
