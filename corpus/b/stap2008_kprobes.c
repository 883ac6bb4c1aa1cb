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
#ifndef INTERRUPTIBLE
#define INTERRUPTIBLE 1
#endif

#include "runtime.h"
#include "regs.c"
#include "stack.c"
#include "stat.c"
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/profile.h>
#include <linux/random.h>
#include <linux/utsname.h>
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
  #ifdef STP_TIMING
  Stat *statp;
  #endif
  union {
    struct probe_1402_locals {
      int64_t __tmp0;
    } probe_1402;
    struct probe_1403_locals {
      string_t __tmp2;
    } probe_1403;
  } locals [MAXNESTING];
};

static void *contexts = NULL; /* alloc_percpu */

static struct {
  int64_t s_reads;
  int64_t s_writes;
  rwlock_t s_reads_lock;
  rwlock_t s_writes_lock;
  #ifdef STP_TIMING
  atomic_t s_reads_lock_skip_count;
  atomic_t s_writes_lock_skip_count;
  #endif
} global = {
  .s_reads_lock = RW_LOCK_UNLOCKED,
  .s_writes_lock = RW_LOCK_UNLOCKED,
};

static void probe_1402 (struct context * __restrict__ c) {
  struct probe_1402_locals * __restrict__ l =
    & c->locals[c->nesting].probe_1402;
  (void) l;
  if (unlikely (c->nesting+2 >= MAXNESTING)) {
    c->last_error = "MAXNESTING exceeded";
    return;
  } else {
    c->nesting ++;
  }
  c->actionremaining -= 1;
  if (unlikely (c->actionremaining <= 0)) {
    c->last_error = "MAXACTION exceeded";
    goto out;
  }
  (void) 
  ({
    l->__tmp0 = global.s_reads;
    global.s_reads = l->__tmp0 + 1;
    l->__tmp0;
  });
out:
  c->nesting --;
}

static void probe_1403 (struct context * __restrict__ c) {
  struct probe_1403_locals * __restrict__ l =
    & c->locals[c->nesting].probe_1403;
  (void) l;
  c->actionremaining -= 1;
  if (unlikely (c->actionremaining <= 0)) {
    c->last_error = "MAXACTION exceeded";
    goto out;
  }
  (void) 
  ({
    global.s_writes ++;
  });
out:
  ;
}

static struct stap_dwarf_probe {
  unsigned registered_p:1;
  const char *module;
  const char *section;
  unsigned long address;
  const char *pp;
  void (* const ph) (struct context*);
} stap_dwarf_probes[] = {
  { .address=0x3669e0, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_read@fs/read_write.c:450\")", .ph=&probe_1402 },
  { .address=0x367550, .module="kernel", .section="_stext", .pp="kernel.function(\"ksys_read@fs/read_write.c:614\")", .ph=&probe_1402 },
  { .address=0x367160, .module="kernel", .section="_stext", .pp="kernel.function(\"vfs_write@fs/read_write.c:564\")", .ph=&probe_1403 },
  { .address=0x1d4a0, .module="ext3", .section=".text", .pp="module(\"ext3\").function(\"ext3_file_write@fs/ext3/file.c:51\")", .ph=&probe_1403 },
};

static struct stap_dwarf_kprobe {
  union { struct kprobe kp; struct kretprobe krp; } u;
} stap_dwarf_kprobes[4];

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs) {
  struct stap_dwarf_probe *sdp = &stap_dwarf_probes[((uintptr_t)inst-(uintptr_t)stap_dwarf_kprobes)/sizeof(struct stap_dwarf_kprobe)];
  struct context* __restrict__ c;
  unsigned long flags;
  #ifdef STP_TIMING
  cycles_t cycles_atstart = get_cycles ();
  #endif
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
  c->pi = 0;
  c->probe_point = sdp->pp;
  c->actionremaining = MAXACTION;
  (*sdp->ph) (c);
  if (unlikely (c->last_error && c->last_error[0])) {
    _stp_error ("%s near %s", c->last_error, c->last_stmt);
    atomic_inc (& error_count);
    if (atomic_read (& error_count) > MAXERRORS) {
      atomic_set (& session_state, STAP_SESSION_ERROR);
      _stp_exit ();
    }
  }
probe_epilogue:
  #ifdef STP_TIMING
  {
    cycles_t cycles_atend = get_cycles ();
    int32_t cycles_elapsed = (cycles_atend > cycles_atstart) ? (int32_t) (cycles_atend - cycles_atstart) : (int32_t) ~(cycles_atstart - cycles_atend) + 1;
    if (likely (c->statp)) _stp_stat_add(*c->statp, cycles_elapsed);
  }
  #endif
  atomic_dec (&c->busy);
  local_irq_restore (flags);
  return 0;
}

static int systemtap_module_init (void) {
  int rc = 0;
  int i=0, j=0;
  const char *probe_point = "";
  contexts = alloc_percpu (struct context);
  if (contexts == NULL) {
    _stp_error ("percpu context (size %lu) allocation failed", sizeof (struct context));
    rc = -ENOMEM;
    goto out;
  }
  atomic_set (&session_state, STAP_SESSION_STARTING);
  for (i=0; i<4; i++) {
    struct stap_dwarf_probe *sdp = & stap_dwarf_probes[i];
    struct stap_dwarf_kprobe *kp = & stap_dwarf_kprobes[i];
    unsigned long relocated_addr = _stp_module_relocate (sdp->module, sdp->section, sdp->address);
    if (relocated_addr == 0) continue;
    probe_point = sdp->pp;
    kp->u.kp.addr = (void *) relocated_addr;
    kp->u.kp.pre_handler = &enter_kprobe_probe;
    rc = register_kprobe (& kp->u.kp);
    if (rc == 0) sdp->registered_p = 1;
    else {
      for (j=i-1; j>=0; j--) {
        struct stap_dwarf_probe *sdp2 = & stap_dwarf_probes[j];
        struct stap_dwarf_kprobe *kp2 = & stap_dwarf_kprobes[j];
        if (sdp2->registered_p) unregister_kprobe (&kp2->u.kp);
        sdp2->registered_p = 0;
      }
      break;
    }
  }
  if (rc) {
    _stp_error ("probe %s registration error (rc %d)", probe_point, rc);
    free_percpu (contexts);
    goto out;
  }
  if (atomic_read (&session_state) == STAP_SESSION_STARTING)
    atomic_set (&session_state, STAP_SESSION_RUNNING);
out:
  return rc;
}

static void systemtap_module_exit (void) {
  int i=0;
  if (atomic_read (&session_state) == STAP_SESSION_STARTING)
    return;
  if (atomic_read (&session_state) == STAP_SESSION_RUNNING)
    atomic_set (&session_state, STAP_SESSION_STOPPING);
  for (i=0; i<4; i++) {
    struct stap_dwarf_probe *sdp = & stap_dwarf_probes[i];
    struct stap_dwarf_kprobe *kp = & stap_dwarf_kprobes[i];
    if (! sdp->registered_p) continue;
    unregister_kprobe (&kp->u.kp);
    atomic_add (kp->u.kp.nmissed, & skipped_count);
    sdp->registered_p = 0;
  }
  free_percpu (contexts);
  _stp_print_flush ();
}

#include "stap-probe.h"
MODULE_DESCRIPTION("systemtap-generated probe");
MODULE_LICENSE("GPL");
