/*
 * pm-args: the guest program of verify --boot's behavioural check.
 *
 * It makes a few system calls with known arguments and, before each, writes to
 * the kernel log (/dev/kmsg) the values the kernel function behind it receives:
 *
 *   pm-args-call: FUNCTION NAME=VALUE ...
 *
 * A migrated probe module whose handler logs "pm-args: FUNCTION NAME=VALUE ..."
 * (only for this program: current->comm is "pm-args") is judged by comparing the
 * two. Integers are decimal, pointers 0x-prefixed hex. The functions are reached
 * unchanged on x86-64 Linux 6.1: write(2) -> ksys_write() -> vfs_write(file, buf,
 * count, pos) (fs/read_write.c); openat(2) -> do_sys_openat2() -> getname(filename)
 * (fs/open.c); mmap(2) -> ksys_mmap_pgoff(addr, len, prot, flags, fd, off >> PAGE_SHIFT)
 * (arch/x86/kernel/sys_x86_64.c); sendto(2)/recvfrom(2) -> __sys_sendto() /
 * __sys_recvfrom() (net/socket.c).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int kmsg = -1;

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && kmsg >= 0)
		write(kmsg, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int main(void)
{
	static char buf[4242];
	static const char path[] = "/tmp/pm-args.out";
	int fd, s;

	kmsg = open("/dev/kmsg", O_WRONLY);
	if (kmsg < 0)
		return 1;
	say("pm-args-call: getname filename=0x%lx\n", (unsigned long)path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (fd < 0)
		return 1;
	say("pm-args-call: vfs_write buf=0x%lx count=%zu\n", (unsigned long)buf, sizeof(buf));
	write(fd, buf, sizeof(buf));
	close(fd);
	say("pm-args-call: ksys_mmap_pgoff addr=0 len=12288 prot=%d flags=%d fd=-1 pgoff=0\n",
	    PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	mmap(NULL, 12288, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0)
		return 1;
	say("pm-args-call: __sys_sendto fd=%d buff=0x%lx len=77 flags=%d addr_len=0\n", s, (unsigned long)buf,
	    MSG_DONTWAIT);
	sendto(s, buf, 77, MSG_DONTWAIT, NULL, 0);
	say("pm-args-call: __sys_recvfrom fd=%d ubuf=0x%lx size=99 flags=%d\n", s, (unsigned long)buf, MSG_DONTWAIT);
	recvfrom(s, buf, 99, MSG_DONTWAIT, NULL, NULL);
	return 0;
}
