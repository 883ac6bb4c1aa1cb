// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms_msgs.c - written for probe-migrator's corpus in the style of a
 * scripting tracer's user-space front end: it scans the symbol table for a
 * function's start address and writes an address-based definition to
 * kprobe_events.  The symbol-table path lives in one macro that is also
 * pasted into several diagnostics; only the real read is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#define KSYMS_PATH	"/proc/kallsyms"
#define EVENTS_FILE	"/sys/kernel/tracing/kprobe_events"

static void die(const char *what)
{
	perror(what);
	exit(EXIT_FAILURE);
}

static unsigned long sym_start(const char *want)
{
	char *line = NULL, name[256], type;
	unsigned long start;
	size_t cap = 0;
	FILE *fp;

	fp = fopen(KSYMS_PATH, "r");
	if (!fp)
		die("open " KSYMS_PATH " failed");
	while (getline(&line, &cap, fp) > 0) {
		if (sscanf(line, "%lx %c %255s", &start, &type, name) == 3 &&
		    !strcmp(name, want)) {
			free(line);
			fclose(fp);
			return start;
		}
	}
	free(line);
	fclose(fp);
	fprintf(stderr, "symbol \"%s\" not found in %s\n", want, KSYMS_PATH);
	return 0;
}

static int add_event(const char *grp, const char *ev, const char *func,
		     const char *args)
{
	char def[256];
	unsigned long addr = sym_start(func);
	int fd, n;

	if (!addr)
		return -1;
	n = snprintf(def, sizeof(def), "p:%s/%s 0x%lx %s\n", grp, ev, addr, args);
	fd = open(EVENTS_FILE, O_WRONLY | O_APPEND);
	if (fd < 0)
		die(EVENTS_FILE);
	if (write(fd, def, n) != n)
		die("write " EVENTS_FILE);
	close(fd);
	return 0;
}

static int add_ret_event(const char *grp, const char *ev, const char *func)
{
	char def[256];
	int fd, n;

	/* return probes must name the function */
	n = snprintf(def, sizeof(def), "r:%s/%s %s $retval\n", grp, ev, func);
	fd = open(EVENTS_FILE, O_WRONLY | O_APPEND);
	if (fd < 0)
		die(EVENTS_FILE);
	n = write(fd, def, n) == n ? 0 : -1;
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	const char *func = argc > 1 ? argv[1] : "do_sys_openat2";

	if (add_event("kscan", "entry", func, "dfd=%di"))
		fprintf(stderr, "hint: is " KSYMS_PATH " readable (kptr_restrict)?\n");
	add_ret_event("kscan", "exit", func);
	return 0;
}
