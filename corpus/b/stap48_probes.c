#define STAP_MSG_RUNTIME_H_01 "myproc-unprivileged tapset function called without is_myproc checking for pid %d (euid %d)"
#define STAP_VERSION(a, b) ( ((a) << 8) + (b) )
#ifndef STAP_COMPAT_VERSION
#define STAP_COMPAT_VERSION STAP_VERSION(4, 8)
#endif
#include "runtime_defines.h"
#include "linux/perf_read.h"
#define STP_PR_STAPUSR 0x2
#define STP_PR_STAPSYS 0x4
#define STP_PR_STAPDEV 0x8
#define STP_PRIVILEGE 0x8
int stp_required_privilege __attribute__ ((section (".stap_privilege"))) = STP_PRIVILEGE;
#ifndef MAXNESTING
#define MAXNESTING 1
#endif
#define STP_SKIP_BADVARS 0
#define STP_PROBE_COUNT 5
#define STP_KPROBE_COUNT 5
#include "runtime.h"

struct context {
  #include "common_probe_context.h"
  union {
    struct probe_4471_locals {
      union {
        struct {
          int64_t __tmp0;
        };
      };
    } probe_4471;
    struct probe_4472_locals {
      string_t __tmp1;
    } probe_4472;
  } probe_locals;
  union {
  } locals [MAXNESTING+1];
  #if MAXNESTING < 0
  #error "MAXNESTING must be positive"
  #endif
};

#include "runtime_context.h"
#include "aggregation.c"
#include "map-stat.c"

struct stp_globals {
  int64_t s_calls;
  rwlock_t s_calls_lock;
  #ifdef STP_TIMING
  atomic_t s_calls_lock_skip_count;
  atomic_t s_calls_lock_contention_count;
  #endif
};

static struct stp_globals stp_global = {
  
};

#include "probe_lock.h"
static const struct stp_probe_lock locks_probe_4471[] = {
  {
    .lock = &stp_global.s_calls_lock,
    .write_p = 1,
    #ifdef STP_TIMING
    .skipped = &stp_global.s_calls_lock_skip_count,
    .contention = &stp_global.s_calls_lock_contention_count,
    #endif
  },
};
static void probe_4471 (struct context * __restrict__ c) {
  __label__ deref_fault;
  __label__ out;
  struct probe_4471_locals * __restrict__ l = & c->probe_locals.probe_4471;
  (void) l;
  if (!stp_lock_probe(locks_probe_4471, ARRAY_SIZE(locks_probe_4471)))
    return;
  (void) 
  ({
    l->__tmp0 = 1LL;
    stp_global.s_calls += l->__tmp0;
    l->__tmp0;
  });
deref_fault: __attribute__((unused));
out:
  stp_unlock_probe(locks_probe_4471, ARRAY_SIZE(locks_probe_4471));
  _stp_print_flush();
}

static void probe_4472 (struct context * __restrict__ c) {
  __label__ deref_fault;
  __label__ out;
  struct probe_4472_locals * __restrict__ l = & c->probe_locals.probe_4472;
  (void) l;
  {
    (void) 
    ({
      strlcpy (l->__tmp1, (c->probe_point ?: ""), MAXSTRINGLEN);
      _stp_printf ("%s\n", l->__tmp1);
    });
  }
deref_fault: __attribute__((unused));
out:
  _stp_print_flush();
}

static struct stap_probe stap_probes[] = {
  STAP_PROBE_INIT(0, &probe_4471, "kprobe.function(\"vfs_read\")", "kprobe.function(\"vfs_read\")", "<input>:1:1", " in process 'vfs_read'"),
  STAP_PROBE_INIT(1, &probe_4471, "kprobe.function(\"vfs_write\")", "kprobe.function(\"vfs_write\")", "<input>:1:1", " in process 'vfs_write'"),
  STAP_PROBE_INIT(2, &probe_4472, "kernel.function(\"do_sys_openat2@fs/open.c:1290\").return", "kernel.function(\"do_sys_openat2@fs/open.c:1290\").return", "<input>:2:1", " in process 'do_sys_openat2'"),
  STAP_PROBE_INIT(3, &probe_4472, "module(\"ext4\").function(\"ext4_file_open@fs/ext4/file.c:835\")", "module(\"ext4\").function(\"ext4_file_open@fs/ext4/file.c:835\")", "<input>:3:1", " in process 'ext4_file_open'"),
  STAP_PROBE_INIT(4, &probe_4472, "module(\"xfs\").statement(\"xfs_file_fsync@fs/xfs/xfs_file.c:121\")", "module(\"xfs\").statement(\"xfs_file_fsync@fs/xfs/xfs_file.c:121\")", "<input>:4:1", " in process 'xfs_file_fsync'"),
};

/* ---- dwarf and non-dwarf kprobe-based probes ---- */
#if ! defined(CONFIG_KPROBES)
#error "Need CONFIG_KPROBES!"
#endif
#ifndef KRETACTIVE
#define KRETACTIVE (max(15, 6 * (int)num_possible_cpus()))
#endif
#include "linux/kprobes-common.h"
static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs);
static int enter_kretprobe_probe (struct kretprobe_instance *inst, struct pt_regs *regs);
static struct stap_kprobe stap_kprobes[5];
static struct stap_kprobe_probe stap_kprobe_probes[] = {
  { .address=(unsigned long)0x3669e0ULL, .module="kernel", .section="_stext", .probe=(&stap_probes[0]), .kprobe=&stap_kprobes[0], },
  { .address=(unsigned long)0x367160ULL, .module="kernel", .section="_stext", .probe=(&stap_probes[1]), .kprobe=&stap_kprobes[1], },
  { .return_p=1, .maxactive_p=0, .address=(unsigned long)0x363fa0ULL, .module="kernel", .section="_stext", .probe=(&stap_probes[2]), .kprobe=&stap_kprobes[2], },
  { .address=(unsigned long)0x2c6d0ULL, .module="ext4", .section=".text",
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3,10,0)
    .symbol_name="ext4:ext4_file_open", .offset=0x0,
#endif
    .probe=(&stap_probes[3]), .kprobe=&stap_kprobes[3], },
  { .address=(unsigned long)0x5f1b6ULL, .module="xfs", .section=".text",
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3,10,0)
    .symbol_name="xfs:xfs_file_fsync", .offset=0x46,
#endif
    .probe=(&stap_probes[4]), .kprobe=&stap_kprobes[4], },
};

static int enter_kprobe_probe (struct kprobe *inst, struct pt_regs *regs) {
  int kprobe_idx = ((uintptr_t)inst-(uintptr_t)stap_kprobes)/sizeof(struct stap_kprobe);
  struct stap_kprobe_probe *sdp = &stap_kprobe_probes[((kprobe_idx >= 0 && kprobe_idx < 5)? kprobe_idx: 0)];
  #ifdef STP_ALIBI
  atomic_inc(&(sdp->probe->alibi));
  #else
  struct context* __restrict__ c = NULL;
  #if !INTERRUPTIBLE
  unsigned long flags;
  #endif
  #ifdef STP_TIMING
  cycles_t cycles_atstart = get_cycles ();
  #endif
  #if !INTERRUPTIBLE
  local_irq_save (flags);
  #endif
  if (unlikely ((((unsigned long) (& c)) & (THREAD_SIZE-1)) < (MINSTACKSPACE + sizeof (struct thread_info)))) {
    atomic_inc (skipped_count_lowstack());
    goto probe_epilogue;
  }
  if (atomic_read (session_state()) != STAP_SESSION_RUNNING)
    goto probe_epilogue;
  c = _stp_runtime_entryfn_get_context();
  if (!c) {
    goto probe_epilogue;
  }
  c->last_stmt = 0;
  c->last_error = 0;
  c->nesting = -1;
  c->uregs = 0;
  c->kregs = 0;
  c->probe_point = sdp->probe->pp;
  c->probe_type = stp_probe_type_kprobe;
  c->kregs = regs;
  c->probe_flags |= _STP_PROBE_STATE_FULL_UREGS;
  (*sdp->probe->ph) (c);
  #endif
probe_epilogue: __attribute__((unused));
  _stp_runtime_entryfn_put_context(c);
  #if !INTERRUPTIBLE
  local_irq_restore (flags);
  #endif
  return 0;
}

static int enter_kretprobe_probe (struct kretprobe_instance *inst, struct pt_regs *regs) {
  struct kretprobe *krp = get_kretprobe(inst);
  struct stap_kprobe *sk = container_of(krp, struct stap_kprobe, u.krp);
  int kprobe_idx = sk - stap_kprobes;
  struct stap_kprobe_probe *sdp = &stap_kprobe_probes[((kprobe_idx >= 0 && kprobe_idx < 5)? kprobe_idx: 0)];
  return stapkp_call_handler(sdp, inst, regs, 1);
}

static int systemtap_module_init (void) {
  int rc = 0;
  const char *probe_point = "";
  {
    rc = stapkp_init( stap_kprobe_probes, ARRAY_SIZE(stap_kprobe_probes));
    if (rc) {
      _stp_error ("probe %s registration error [man warning::pass5] (rc %d)", probe_point, rc);
      goto out;
    }
  }
out:
  return rc;
}

static void systemtap_module_exit (void) {
  stapkp_exit( stap_kprobe_probes, ARRAY_SIZE(stap_kprobe_probes));
}

#include "stap-symbols.h"
MODULE_DESCRIPTION("systemtap-generated probe");
MODULE_LICENSE("GPL");
