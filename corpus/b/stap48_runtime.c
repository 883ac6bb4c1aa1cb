/* -*- linux-c -*-
 * Kprobe registration and kernel symbol helpers for the probe runtime.
 *
 * This file is part of the probe runtime and is compiled into every
 * generated module that uses kprobe.function / kernel.function probes.
 */

#ifndef _STP_RUNTIME_KPROBES_C_
#define _STP_RUNTIME_KPROBES_C_

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/version.h>

#ifndef STP_MAX_MODULES
#define STP_MAX_MODULES 256
#endif

#ifndef dbug_sym
#define dbug_sym(level, args...) do { } while (0)
#endif

struct _stp_section {
	const char *name;
	unsigned long static_addr;	/* set when the module is loaded */
	unsigned long size;
};

struct _stp_module {
	const char *name;
	const char *path;
	unsigned num_sections;
	struct _stp_section *sections;
};

struct _stp_symbol {
	unsigned long addr;
	const char *symbol;
};

struct stap_kprobe {
	union {
		struct kprobe kp;
		struct kretprobe krp;
	} u;
#ifdef STAPCONF_KPROBES_ON_FTRACE_BROKEN
	unsigned ftrace_fallback:1;
#endif
};

struct stap_kprobe_probe {
	const unsigned return_p:1;
	const unsigned maxactive_p:1;
	const unsigned optional_p:1;
	unsigned registered_p:1;
	const unsigned short maxactive_val;
	const unsigned long address;
	const char *module;
	const char *section;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3,10,0)
	const char *symbol_name;
	unsigned int offset;
#endif
	struct stap_probe * const probe;
	struct stap_kprobe *kprobe;
};

static struct _stp_module *_stp_modules[STP_MAX_MODULES];
static unsigned _stp_num_modules;

/* _stext-relative addresses of the kernel functions named by the script */
static struct _stp_symbol _stp_kernel_symbols[] = {
	{ 0x0a0a60, "kernel_clone" },
	{ 0x0a7010, "do_exit" },
	{ 0x361a00, "filp_close" },
	{ 0x363d40, "vfs_open" },
	{ 0x363fa0, "do_sys_openat2" },
	{ 0x364410, "filp_open" },
	{ 0x364dc0, "vfs_llseek" },
	{ 0x3669e0, "vfs_read" },
	{ 0x367160, "vfs_write" },
	{ 0x367550, "ksys_read" },
	{ 0x367680, "ksys_write" },
	{ 0x3abde0, "vfs_fsync_range" },
};

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs);
static int enter_kretprobe_probe (struct kretprobe_instance *inst, struct pt_regs *regs);

/*
 * Turn a (module, section, offset) triple from the probe tables into a
 * run-time address.  Returns 0 when the module is not loaded (yet).
 */
static unsigned long _stp_kmodule_relocate(const char *module,
					   const char *section,
					   unsigned long offset)
{
	unsigned i, j;

	dbug_sym(1, "%s, %s, %lx\n", module, section, offset);

	if (!module || !strcmp(section, "") || _stp_num_modules == 0)
		return offset;

	for (i = 0; i < _stp_num_modules; i++) {
		struct _stp_module *m = _stp_modules[i];

		if (!m || strcmp(module, m->name))
			continue;
		for (j = 0; j < m->num_sections; j++) {
			struct _stp_section *s = &m->sections[j];

			if (strcmp(section, s->name))
				continue;
			if (s->static_addr == 0)
				return 0;
			dbug_sym(1, "-> %lx\n", s->static_addr + offset);
			return s->static_addr + offset;
		}
	}
	return 0;
}

static unsigned long _stp_kernel_symbol_addr(const char *name)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(_stp_kernel_symbols); i++) {
		if (strcmp(_stp_kernel_symbols[i].symbol, name) == 0)
			return _stp_kmodule_relocate("kernel", "_stext",
						     _stp_kernel_symbols[i].addr);
	}
	return 0;
}

static unsigned long stapkp_relocate_addr(struct stap_kprobe_probe *skp)
{
	unsigned long addr = _stp_kmodule_relocate(skp->module, skp->section,
						   skp->address);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3,10,0)
	if (addr == 0 && skp->symbol_name && !strcmp(skp->module, "kernel"))
		addr = _stp_kernel_symbol_addr(skp->symbol_name);
#endif
	return addr;
}

static int stapkp_prepare_kprobe(struct stap_kprobe_probe *skp)
{
	struct stap_kprobe *kp = skp->kprobe;
	unsigned long addr = _stp_kmodule_relocate(skp->module, skp->section,
						   skp->address);

	if (addr == 0)
		return 1;

	kp->u.kp.addr = (void *) addr;
	kp->u.kp.pre_handler = &enter_kprobe_probe;
	return 0;
}

static int stapkp_prepare_kretprobe(struct stap_kprobe_probe *skp)
{
	struct stap_kprobe *kp = skp->kprobe;
	unsigned long addr = stapkp_relocate_addr(skp);

	if (addr == 0)
		return 1;

	kp->u.krp.kp.addr = (void *) addr;
	kp->u.krp.handler = &enter_kretprobe_probe;
	if (skp->maxactive_p)
		kp->u.krp.maxactive = skp->maxactive_val;
	else
		kp->u.krp.maxactive = KRETACTIVE;
	return 0;
}

static int stapkp_register_probe(struct stap_kprobe_probe *skp)
{
	struct stap_kprobe *kp = skp->kprobe;
	int rc;

	if (skp->registered_p)
		return 0;

	if (skp->return_p) {
		if (stapkp_prepare_kretprobe(skp))
			return 0;
		rc = register_kretprobe(&kp->u.krp);
	} else {
		if (stapkp_prepare_kprobe(skp))
			return 0;
		rc = register_kprobe(&kp->u.kp);
	}

	if (rc == 0)
		skp->registered_p = 1;
	else if (skp->optional_p)
		rc = 0;
	return rc;
}

static void stapkp_unregister_probe(struct stap_kprobe_probe *skp)
{
	struct stap_kprobe *kp = skp->kprobe;

	if (!skp->registered_p)
		return;
	if (skp->return_p)
		unregister_kretprobe(&kp->u.krp);
	else
		unregister_kprobe(&kp->u.kp);
	skp->registered_p = 0;
}

static int stapkp_init(struct stap_kprobe_probe *probes, size_t nprobes)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < nprobes; i++) {
		rc = stapkp_register_probe(&probes[i]);
		if (rc) {
			_stp_error("probe %s registration error (rc %d)",
				   probes[i].probe->pp, rc);
			while (i--)
				stapkp_unregister_probe(&probes[i]);
			break;
		}
	}
	return rc;
}

static void stapkp_exit(struct stap_kprobe_probe *probes, size_t nprobes)
{
	size_t i;

	for (i = 0; i < nprobes; i++)
		stapkp_unregister_probe(&probes[i]);
}

#endif /* _STP_RUNTIME_KPROBES_C_ */
