/*
 * kpctl - tiny control tool for the lab's kprobe events.
 *
 *   kpctl add   EVENT SYMBOL[+OFF]     probe by name
 *   kpctl addr  EVENT HEXADDR          probe an address
 *   kpctl ret   EVENT HEXADDR          return probe at an address
 *   kpctl dup   EVENT SYMBOL N         N-th copy of a duplicated symbol (System.map)
 *   kpctl boot                         the fixed boot-path probe set
 *   kpctl user  EVENT BINARY OFF       uprobe
 *   kpctl del   EVENT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"

static int tracefs_write(const char *file, const char *line)
{
	char path[256];
	int fd, n;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -errno;
	n = write(fd, line, strlen(line));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int add_sym(const char *ev, const char *sym, unsigned off)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "p:kpctl/%s %s+%u", ev, sym, off);
	return tracefs_write("kprobe_events", buf);
}

static int add_addr(const char *ev, unsigned long a)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "p:kpctl/%s 0x%lx", ev, a);
	return tracefs_write("kprobe_events", buf);
}

static int add_ret(const char *ev, unsigned long a)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "r:kpctl/%s %#lx $retval", ev, a);
	return tracefs_write("kprobe_events", buf);
}

static int add_user(const char *ev, const char *bin, unsigned long off)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "p:kpctl/%s %s:0x%lx", ev, bin, off);
	return tracefs_write("uprobe_events", buf);
}

static int del(const char *ev)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "-:kpctl/%s", ev);
	return tracefs_write("kprobe_events", buf);
}

/* address of the n-th (1-based) text symbol `name' in this kernel's map */
static unsigned long sysmap_nth(const char *name, int n)
{
	struct utsname u;
	char path[300], sym[256], t;
	unsigned long a;
	FILE *f;

	uname(&u);
	snprintf(path, sizeof(path), "/boot/System.map-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		f = fopen("/proc/kallsyms", "r");
	if (!f)
		return 0;
	while (fscanf(f, "%lx %c %255s%*[^\n]", &a, &t, sym) == 3)
		if ((t == 't' || t == 'T') && !strcmp(sym, name) && --n == 0)
			break;
	fclose(f);
	return n == 0 ? a : 0;
}

static int boot_set(void)
{
	FILE *f = fopen(TRACEFS "/kprobe_events", "a");

	if (!f)
		return -errno;
	fprintf(f, "p:kpctl/early_pf 0xffffffff81000e30\n");
	fprintf(f, "p:kpctl/early_idt %#lx\n", 0xffffffff81000f00UL);
	fprintf(f, "p:kpctl/early_ret %s\n", "do_early_exception");
	fprintf(f, "r32:kpctl/setup_ret 0x%lx\n", 0xffffffff82f4a1c0UL);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned long a;
	int err = -EINVAL;

	if (!strcmp(cmd, "add") && argc == 4) {
		char *plus = strchr(argv[3], '+');
		unsigned off = plus ? strtoul(plus + 1, NULL, 0) : 0;

		if (plus)
			*plus = '\0';
		err = add_sym(argv[2], argv[3], off);
	} else if (!strcmp(cmd, "addr") && argc == 4) {
		err = add_addr(argv[2], strtoul(argv[3], NULL, 16));
	} else if (!strcmp(cmd, "ret") && argc == 4) {
		err = add_ret(argv[2], strtoul(argv[3], NULL, 16));
	} else if (!strcmp(cmd, "dup") && argc == 5) {
		a = sysmap_nth(argv[3], atoi(argv[4]));
		if (!a) {
			fprintf(stderr, "kpctl: %s #%s not found in System.map or /proc/kallsyms\n",
				argv[3], argv[4]);
			return 1;
		}
		printf("kpctl: %s #%s at 0x%lx\n", argv[3], argv[4], a);
		err = add_addr(argv[2], a);
	} else if (!strcmp(cmd, "boot")) {
		err = boot_set();
	} else if (!strcmp(cmd, "user") && argc == 5) {
		err = add_user(argv[2], argv[3], strtoul(argv[4], NULL, 0));
	} else if (!strcmp(cmd, "del") && argc == 3) {
		err = del(argv[2]);
	} else {
		fprintf(stderr, "usage: see the comment at the top of kpctl.c\n");
		return 2;
	}
	if (err)
		fprintf(stderr, "kpctl %s: %s\n", cmd, strerror(-err));
	return err ? 1 : 0;
}
