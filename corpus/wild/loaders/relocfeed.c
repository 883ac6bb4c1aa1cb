// SPDX-License-Identifier: GPL-2.0
/*
 * relocfeed.c - written for probe-migrator's corpus in the style of a
 * tracing runtime's user-space launcher: before the generated probe module
 * arms its probes, the launcher reads the kernel's load address from
 * /proc/kallsyms and sends it down the module's control channel, so that
 * the module can add its precomputed section offsets to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CTL_DEV		"/dev/trc_ctl"
#define TRC_IOC_RELOC	_IOW('T', 1, struct trc_reloc)
#define TRC_IOC_PROBE	_IOW('T', 2, struct trc_probe_req)

struct trc_reloc {
	char module[64];
	char section[64];
	unsigned long long address;
};

struct trc_probe_req {
	char symbol[128];
	unsigned long offset;
};

static int kernel_base(unsigned long long *out)
{
	char line[256], name[128];
	unsigned long long a;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*c %127s", &a, name) == 2 &&
		    !strcmp(name, "_stext")) {
			*out = a;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

static int send_reloc(int ctl, unsigned long long base)
{
	struct trc_reloc r;

	memset(&r, 0, sizeof(r));
	strcpy(r.module, "kernel");
	strcpy(r.section, "_stext");
	r.address = base;
	return ioctl(ctl, TRC_IOC_RELOC, &r);
}

/* the newer protocol: hand the module a name and let the kernel resolve it */
static int send_probe(int ctl, const char *sym, unsigned long off)
{
	struct trc_probe_req q;

	memset(&q, 0, sizeof(q));
	snprintf(q.symbol, sizeof(q.symbol), "%s", sym);
	q.offset = off;
	return ioctl(ctl, TRC_IOC_PROBE, &q);
}

int main(int argc, char **argv)
{
	unsigned long long base = 0;
	int ctl, err;

	ctl = open(CTL_DEV, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		perror(CTL_DEV);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--by-name")) {
		err = send_probe(ctl, "vfs_write", 0);
	} else {
		err = kernel_base(&base);
		if (err) {
			fprintf(stderr, "no _stext in /proc/kallsyms: %s\n", strerror(-err));
			return 1;
		}
		err = send_reloc(ctl, base);
	}
	if (err)
		perror("ioctl");
	close(ctl);
	return err ? 1 : 0;
}
