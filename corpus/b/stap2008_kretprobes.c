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
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif

#include "runtime.h"
#include "regs.c"
#include "stat.c"
#include "map-stat.c"
#include <linux/string.h>
#include <linux/sched.h>
#include <linux/profile.h>
#include "loc2c-runtime.h"

typedef char string_t[MAXSTRINGLEN];

#define STAP_SESSION_STARTING 0
#define STAP_SESSION_RUNNING 1
#define STAP_SESSION_ERROR 2
#define STAP_SESSION_STOPPING 3
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
  #ifdef STP_TIMING
  Stat *statp;
  #endif
  union {
    struct probe_2117_locals {
      int64_t l_ret;
      int64_t __tmp0;
    } probe_2117;
    struct probe_2118_locals {
      int64_t __tmp0;
    } probe_2118;
  } locals [MAXNESTING];
};

static void *contexts = NULL; /* alloc_percpu */

static struct {
  PMAP s_latency;
  rwlock_t s_latency_lock;
} global = {
  .s_latency_lock = RW_LOCK_UNLOCKED,
};

static void probe_2117 (struct context * __restrict__ c) {
  struct probe_2117_locals * __restrict__ l =
    & c->locals[c->nesting].probe_2117;
  (void) l;
  l->l_ret = 0;
  c->actionremaining -= 2;
  if (unlikely (c->actionremaining <= 0)) {
    c->last_error = "MAXACTION exceeded";
    goto out;
  }
  {
    (void) 
    ({
      l->__tmp0 = (int64_t) REG_RETURN(c->regs);
      l->l_ret = l->__tmp0;
    });
    if ((((l->l_ret) < (((int64_t)0LL))))) {
      _stp_pmap_add_si (global.s_latency, c->probe_point, l->l_ret);
    }
  }
out:
  ;
}

static void probe_2118 (struct context * __restrict__ c) {
  struct probe_2118_locals * __restrict__ l =
    & c->locals[c->nesting].probe_2118;
  (void) l;
  c->actionremaining -= 1;
  if (unlikely (c->actionremaining <= 0)) {
    c->last_error = "MAXACTION exceeded";
    goto out;
  }
  (void) 
  ({
    _stp_pmap_add_si (global.s_latency, c->probe_point, 1LL);
  });
out:
  ;
}

static struct stap_dwarf_probe {
  const unsigned return_p:1;
  const unsigned maxactive_p:1;
  unsigned registered_p:1;
  const unsigned short maxactive_val;
  const char *module;
  const char *section;
  unsigned long address;
  const char *pp;
  void (* const ph) (struct context*);
} stap_dwarf_probes[] = {
  { .return_p=1, .address=0x363fa0, .module="kernel", .section="_stext", .pp="kernel.function(\"do_sys_openat2@fs/open.c:1290\").return", .ph=&probe_2117 },
  { .return_p=1, .maxactive_p=1, .maxactive_val=40, .address=0x3abde0, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_fsync_range@fs/sync.c:188\").return", .ph=&probe_2117 },
  { .address=0x363d40, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_open@fs/open.c:1012\")", .ph=&probe_2118 },
};

static struct stap_dwarf_kprobe {
  union { struct kprobe kp; struct kretprobe krp; } u;
} stap_dwarf_kprobes[3];

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs);

static int enter_kretprobe_probe (struct kretprobe_instance *inst, struct pt_regs *regs) {
  struct kretprobe *krp = inst->rp;
  struct stap_dwarf_probe *sdp = &stap_dwarf_probes[((uintptr_t)krp-(uintptr_t)stap_dwarf_kprobes)/sizeof(struct stap_dwarf_kprobe)];
  struct context* __restrict__ c;
  unsigned long flags;
  local_irq_save (flags);
  c = per_cpu_ptr (contexts, smp_processor_id());
  if (unlikely (atomic_inc_return (&c->busy) != 1)) {
    atomic_inc (& skipped_count);
    goto probe_epilogue;
  }
  if (atomic_read (&session_state) != STAP_SESSION_RUNNING)
    goto probe_epilogue;
  c->last_error = 0;
  c->nesting = 0;
  c->regs = regs;
  c->pi = inst;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  (*sdp->ph) (c);
  if (unlikely (c->last_error && c->last_error[0])) {
    _stp_error ("%s near %s", c->last_error, c->last_stmt);
    atomic_inc (& error_count);
  }
probe_epilogue:
  atomic_dec (&c->busy);
  local_irq_restore (flags);
  return 0;
}

static int systemtap_module_init (void) {
  int rc = 0;
  int i=0, j=0;
  const char *probe_point = "";
  contexts = alloc_percpu (struct context);
  if (contexts == NULL) { rc = -ENOMEM; goto out; }
  global.s_latency = _stp_pmap_new_si (MAXMAPENTRIES, HIST_LOG); if (global.s_latency == NULL) { rc = -ENOMEM; goto out; }
  for (i=0; i<3; i++) {
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
    if (rc == 0) sdp->registered_p = 1;
    else {
      for (j=i-1; j>=0; j--) {
        struct stap_dwarf_probe *sdp2 = & stap_dwarf_probes[j];
        struct stap_dwarf_kprobe *kp2 = & stap_dwarf_kprobes[j];
        if (! sdp2->registered_p) continue;
        if (sdp2->return_p) unregister_kretprobe (&kp2->u.krp);
        else unregister_kprobe (&kp2->u.kp);
        sdp2->registered_p = 0;
      }
      break;
    }
  }
  if (rc) {
    _stp_error ("probe %s registration error (rc %d)", probe_point, rc);
    goto out;
  }
  atomic_set (&session_state, STAP_SESSION_RUNNING);
out:
  return rc;
}

static void systemtap_module_exit (void) {
  int i=0;
  atomic_set (&session_state, STAP_SESSION_STOPPING);
  for (i=0; i<3; i++) {
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
  _stp_pmap_del (global.s_latency);
  free_percpu (contexts);
}

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs) {
  struct stap_dwarf_probe *sdp = &stap_dwarf_probes[((uintptr_t)inst-(uintptr_t)stap_dwarf_kprobes)/sizeof(struct stap_dwarf_kprobe)];
  struct context* __restrict__ c;
  unsigned long flags;
  local_irq_save (flags);
  c = per_cpu_ptr (contexts, smp_processor_id());
  if (unlikely (atomic_inc_return (&c->busy) != 1)) {
    atomic_inc (& skipped_count);
    goto probe_epilogue;
  }
  c->last_error = 0;
  c->nesting = 0;
  c->regs = regs;
  c->pi = 0;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  (*sdp->ph) (c);
probe_epilogue:
  atomic_dec (&c->busy);
  local_irq_restore (flags);
  return 0;
}

MODULE_DESCRIPTION("systemtap-generated probe");
MODULE_LICENSE("GPL");
