#define TEST_MODE 0

#ifndef MAXNESTING
#define MAXNESTING 10
#endif
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 128
#endif
#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10)
#endif
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif
#ifndef MAXERRORS
#define MAXERRORS 0
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100
#endif

#include "runtime.h"
#include "stack.c"
#include "regs.c"
#include <linux/string.h>
#include <linux/timer.h>
#include "loc2c-runtime.h"

typedef char string_t[MAXSTRINGLEN];

#define STAP_SESSION_STARTING 0
#define STAP_SESSION_RUNNING 1
#define STAP_SESSION_ERROR 2
#define STAP_SESSION_STOPPING 3
#define STAP_SESSION_STOPPED 4
static atomic_t session_state = ATOMIC_INIT (STAP_SESSION_STARTING);
static atomic_t error_count = ATOMIC_INIT (0);
static atomic_t skipped_count = ATOMIC_INIT (0);

struct context {
  atomic_t busy;
  const char *probe_point;
  int actionremaining;
  unsigned nesting;
  const char *last_error;
  const char *last_stmt;
  struct pt_regs *regs;
  struct kretprobe_instance *pi;
  va_list *mark_va_list;
  void *data;
  #ifdef STP_TIMING
  Stat *statp;
  #endif
  union {
    struct probe_1456_locals {
    } probe_1456;
    struct probe_1457_locals {
      int64_t __retvalue;
    } probe_1457;
    struct probe_1458_locals {
    } probe_1458;
  } locals [MAXNESTING];
};

static void *contexts = NULL; /* alloc_percpu */


static void probe_1456 (struct context * __restrict__ c) {
  __label__ out;
  c->last_stmt = "identifier 'printf' at vfs.stp:2:3";
  (void)
  ({
    _stp_printf ("%s read\n", current->comm);
  });
out:
  _stp_print_flush();
}


static void probe_1457 (struct context * __restrict__ c) {
  __label__ out;
  struct probe_1457_locals * __restrict__ l =
    & c->locals[c->nesting].probe_1457;
  (void) l;
  l->__retvalue = (int64_t) REG_RETURN (c->regs);
  c->last_stmt = "identifier 'printf' at vfs.stp:5:3";
  (void)
  ({
    _stp_printf ("%s write -> %lld\n", current->comm, (long long) l->__retvalue);
  });
out:
  _stp_print_flush();
}


static void probe_1458 (struct context * __restrict__ c) {
  __label__ out;
  c->last_stmt = "identifier 'printf' at vfs.stp:8:3";
  (void)
  ({
    _stp_printf ("%s close\n", current->comm);
  });
out:
  _stp_print_flush();
}

/* ---- dwarf probes ---- */
struct stap_dwarf_kprobe {
  union { struct kprobe kp; struct kretprobe krp; } u;
};
static struct stap_dwarf_kprobe stap_dwarf_kprobes[2];
static struct stap_dwarf_probe {
  const unsigned return_p:1;
  const unsigned maxactive_p:1;
  unsigned registered_p:1;
  const unsigned short maxactive_val;
  const char module[7];
  const char section[7];
  const char pp[64];
  void (* const ph) (struct context*);
  const unsigned long address;
} stap_dwarf_probes[] = {
  { .address=0x1c3d10UL, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_read@fs/read_write.c:258\")", .ph=&probe_1456 },
  { .return_p=1, .maxactive_p=1, .maxactive_val=20, .address=0x1c3e20UL, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_write@fs/read_write.c:311\").return", .ph=&probe_1457 },
};

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs) {
  int stap_dwarf_probe_idx = ((uintptr_t)inst-(uintptr_t)stap_dwarf_kprobes)/sizeof(struct stap_dwarf_kprobe);
  struct stap_dwarf_probe *sdp = &stap_dwarf_probes[stap_dwarf_probe_idx];
  struct context* __restrict__ c;
  unsigned long flags;
  local_irq_save (flags);
  c = per_cpu_ptr (contexts, smp_processor_id());
  if (atomic_inc_return (& c->busy) != 1) {
    atomic_inc (& skipped_count);
    atomic_dec (& c->busy);
    goto probe_epilogue;
  }
  c->last_error = 0;
  c->nesting = 0;
  c->regs = 0;
  c->pi = 0;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  c->regs = regs;
  (*sdp->ph) (c);
  if (unlikely (c->last_error && c->last_error[0])) {
    _stp_error ("%s near %s", c->last_error, c->last_stmt);
    atomic_inc (& error_count);
  }
  atomic_dec (&c->busy);
probe_epilogue:
  local_irq_restore (flags);
  return 0;
}

static int enter_kretprobe_probe (struct kretprobe_instance *inst, struct pt_regs *regs) {
  struct kretprobe *krp = inst->rp;
  int stap_dwarf_probe_idx = ((uintptr_t)krp-(uintptr_t)stap_dwarf_kprobes)/sizeof(struct stap_dwarf_kprobe);
  struct stap_dwarf_probe *sdp = &stap_dwarf_probes[stap_dwarf_probe_idx];
  struct context* __restrict__ c;
  unsigned long flags;
  local_irq_save (flags);
  c = per_cpu_ptr (contexts, smp_processor_id());
  if (atomic_inc_return (& c->busy) != 1) {
    atomic_inc (& skipped_count);
    atomic_dec (& c->busy);
    goto probe_epilogue;
  }
  c->last_error = 0;
  c->nesting = 0;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  c->regs = regs;
  c->pi = inst;
  (*sdp->ph) (c);
  if (unlikely (c->last_error && c->last_error[0])) {
    _stp_error ("%s near %s", c->last_error, c->last_stmt);
    atomic_inc (& error_count);
  }
  atomic_dec (&c->busy);
probe_epilogue:
  local_irq_restore (flags);
  return 0;
}

/* ---- dwarfless kprobe-based probes ---- */
struct stap_dwarfless_kprobe {
  union { struct kprobe kp; struct kretprobe krp; } u;
};
static struct stap_dwarfless_kprobe stap_dwarfless_kprobes[1];
static struct stap_dwarfless_probe {
  const unsigned return_p:1;
  const unsigned maxactive_p:1;
  unsigned registered_p:1;
  const unsigned short maxactive_val;
  const char *symbol_string;
  const char *pp;
  void (* const ph) (struct context*);
} stap_dwarfless_probes[] = {
  { .pp="kprobe.function(\"sys_close\")", .ph=&probe_1458, .symbol_string="sys_close" },
};

static int enter_kprobe2_probe (struct kprobe *inst, struct pt_regs *regs) {
  int kprobe_idx = ((uintptr_t)inst-(uintptr_t)stap_dwarfless_kprobes)/sizeof(struct stap_dwarfless_kprobe);
  struct stap_dwarfless_probe *sdp = &stap_dwarfless_probes[kprobe_idx];
  struct context* __restrict__ c;
  unsigned long flags;
  local_irq_save (flags);
  c = per_cpu_ptr (contexts, smp_processor_id());
  if (atomic_inc_return (& c->busy) != 1) {
    atomic_inc (& skipped_count);
    atomic_dec (& c->busy);
    goto probe_epilogue;
  }
  c->last_error = 0;
  c->nesting = 0;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  c->regs = regs;
  (*sdp->ph) (c);
  atomic_dec (&c->busy);
probe_epilogue:
  local_irq_restore (flags);
  return 0;
}

static int systemtap_module_init (void) {
  int rc = 0;
  int i=0, j=0;
  const char *probe_point = "";
  {
    const char* release = UTS_RELEASE;
    const char* machine = UTS_MACHINE;
    (void) release;
    (void) machine;
    if (strcmp (release, "2.6.25-14.fc9.x86_64")) {
      _stp_error ("module release mismatch (%s vs %s)", release, "2.6.25-14.fc9.x86_64");
      rc = - EINVAL;
    }
    if (strcmp (machine, "x86_64")) {
      _stp_error ("module machine mismatch (%s vs %s)", machine, "x86_64");
      rc = - EINVAL;
    }
  }
  if (rc) goto out;
  (void) probe_point;
  (void) i;
  (void) j;
  atomic_set (&session_state, STAP_SESSION_STARTING);
  if (sizeof (struct context) <= 131072)
    contexts = alloc_percpu (struct context);
  if (contexts == NULL) {
    _stp_error ("percpu context (size %lu) allocation failed", sizeof (struct context));
    rc = -ENOMEM;
    goto out;
  }
  for (i=0; i<2; i++) {
    struct stap_dwarf_probe *sdp = & stap_dwarf_probes[i];
    struct stap_dwarf_kprobe *kp = & stap_dwarf_kprobes[i];
    unsigned long relocated_addr = _stp_module_relocate (sdp->module, sdp->section, sdp->address);
    if (relocated_addr == 0) continue;
    probe_point = sdp->pp;
    if (sdp->return_p) {
      kp->u.krp.kp.addr = (void *) relocated_addr;
      if (sdp->maxactive_p) {
        kp->u.krp.maxactive = sdp->maxactive_val;
      } else {
        kp->u.krp.maxactive = max(10, 4*NR_CPUS);
      }
      kp->u.krp.handler = &enter_kretprobe_probe;
      rc = register_kretprobe (& kp->u.krp);
    } else {
      kp->u.kp.addr = (void *) relocated_addr;
      kp->u.kp.pre_handler = &enter_kprobe_probe;
      rc = register_kprobe (& kp->u.kp);
    }
    if (rc) {
      for (j=i-1; j>=0; j--) {
        struct stap_dwarf_probe *sdp2 = & stap_dwarf_probes[j];
        struct stap_dwarf_kprobe *kp2 = & stap_dwarf_kprobes[j];
        if (sdp2->return_p) unregister_kretprobe (&kp2->u.krp);
        else unregister_kprobe (&kp2->u.kp);
      }
      break;
    }
    else sdp->registered_p = 1;
  }
  if (rc) goto out;
  for (i=0; i<1; i++) {
    struct stap_dwarfless_probe *sdp = & stap_dwarfless_probes[i];
    struct stap_dwarfless_kprobe *kp = & stap_dwarfless_kprobes[i];
    unsigned long addr = 0;
    addr = kallsyms_lookup_name (sdp->symbol_string);
    if (addr == 0) continue;
    probe_point = sdp->pp;
    if (sdp->return_p) {
      kp->u.krp.kp.addr = (void *) addr;
      if (sdp->maxactive_p) {
        kp->u.krp.maxactive = sdp->maxactive_val;
      } else {
        kp->u.krp.maxactive = max(10, 4*NR_CPUS);
      }
      rc = register_kretprobe (& kp->u.krp);
    } else {
      kp->u.kp.addr = (void *) addr;
      kp->u.kp.pre_handler = &enter_kprobe2_probe;
      rc = register_kprobe (& kp->u.kp);
    }
    if (rc) {
      for (j=i-1; j>=0; j--) {
        unregister_kprobe (& stap_dwarfless_kprobes[j].u.kp);
      }
      break;
    }
    else sdp->registered_p = 1;
  }
  if (rc) goto unregister_dwarf;
  if (atomic_read (&session_state) == STAP_SESSION_STARTING)
    atomic_set (&session_state, STAP_SESSION_RUNNING);
  return 0;
unregister_dwarf:
  for (i=0; i<2; i++) {
    struct stap_dwarf_probe *sdp = & stap_dwarf_probes[i];
    struct stap_dwarf_kprobe *kp = & stap_dwarf_kprobes[i];
    if (! sdp->registered_p) continue;
    if (sdp->return_p) unregister_kretprobe (&kp->u.krp);
    else unregister_kprobe (&kp->u.kp);
    sdp->registered_p = 0;
  }
out:
  free_percpu (contexts);
  contexts = NULL;
  return rc;
}

static void systemtap_module_exit (void) {
  int holdon;
  int i=0;
  (void) i;
  if (atomic_read (&session_state) == STAP_SESSION_STARTING)
    return;
  if (atomic_read (&session_state) == STAP_SESSION_RUNNING)
    atomic_set (&session_state, STAP_SESSION_STOPPING);
  for (i=0; i<1; i++) {
    struct stap_dwarfless_probe *sdp = & stap_dwarfless_probes[i];
    struct stap_dwarfless_kprobe *kp = & stap_dwarfless_kprobes[i];
    if (! sdp->registered_p) continue;
    unregister_kprobe (&kp->u.kp);
    atomic_add (kp->u.kp.nmissed, & skipped_count);
    sdp->registered_p = 0;
  }
  for (i=0; i<2; i++) {
    struct stap_dwarf_probe *sdp = & stap_dwarf_probes[i];
    struct stap_dwarf_kprobe *kp = & stap_dwarf_kprobes[i];
    if (! sdp->registered_p) continue;
    if (sdp->return_p) {
      unregister_kretprobe (&kp->u.krp);
      atomic_add (kp->u.krp.nmissed, & skipped_count);
      atomic_add (kp->u.krp.kp.nmissed, & skipped_count);
    } else {
      unregister_kprobe (&kp->u.kp);
      atomic_add (kp->u.kp.nmissed, & skipped_count);
    }
    sdp->registered_p = 0;
  }
  do {
    int i;
    holdon = 0;
    for_each_possible_cpu (i)
      if (atomic_read (& ((struct context *)per_cpu_ptr(contexts, i))->busy)) holdon = 1;
    cpu_relax ();
  } while (holdon);
  free_percpu (contexts);
  if (atomic_read (& skipped_count) || atomic_read (& error_count)) {
    _stp_warn ("Number of errors: %d, skipped probes: %d\n", (int) atomic_read (& error_count), (int) atomic_read (& skipped_count));
  }
}

#include "stap-symbols.h"
MODULE_DESCRIPTION("systemtap-generated probe");
MODULE_LICENSE("GPL");
