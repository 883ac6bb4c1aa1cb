// The writes probe-migrator's addr-* rules report, as a Coccinelle semantic patch (for timing
// spatch on the same tree with the same cores). Written for the probe-migrator benchmark.

@assign@
struct kprobe k;
struct kprobe *pk;
struct kretprobe r;
struct kretprobe *pr;
expression E;
position p;
@@
(
 k.addr@p = E
|
 pk->addr@p = E
|
 r.kp.addr@p = E
|
 pr->kp.addr@p = E
)

@init@
identifier x;
expression E;
position p;
@@
struct kprobe x = { ..., .addr@p = E, ... };

@script:python depends on assign@
p << assign.p;
@@
print("%s:%s: addr write" % (p[0].file, p[0].line))

@script:python depends on init@
p << init.p;
@@
print("%s:%s: addr initializer" % (p[0].file, p[0].line))
