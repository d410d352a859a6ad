// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exr-events: does one security-relevant thing the recorder must see, and
 * prints what it did (ground truth for tests/integration/events_*.sh) as
 * KEY=VALUE lines on stdout. Static, so it also runs inside a busybox
 * container. Usage: exr-events CMD ARGS... (see usage()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile long target_word = 0x1111;

static int usage(void)
{
	fputs("usage: exr-events CMD ARGS...\n"
	      "  openat DIR NAME FLAGS(octal) MODE(octal)   unlinkat DIR NAME\n"
	      "  renameat DIR OLD NEW                       fchmodat DIR NAME MODE(octal)\n"
	      "  execat DIR NAME ARG...                     execveat-empty FILE ARG...\n"
	      "  fexec-memfd NAME FILE ARG...               exec-deleted FILE DIR ARG...\n"
	      "  exec-badptr (two execs refused with EFAULT: unreadable filename, argument)\n"
	      "  setuid UID  setgid GID  setresuid R E S  capset-drop\n"
	      "  unshare-net  clone-newuts  setns PATH  mount SRC TARGET FSTYPE  umount TARGET\n"
	      "  ptrace-attach  ptrace-seize  ptrace-traceme  vm-write\n"
	      "  packet  raw  dup-stdio ADDR PORT  memfd NAME  bpf-load\n"
	      "  connect-unix PATH|@ABSTRACT   handle DIR (name_to_handle_at, then open_by_handle_at)\n"
	      "  forged-handle DIR INODE (open_by_handle_at of an ext4 handle)\n"
	      "  reopen-write FILE (O_PATH open, then /proc/self/fd/N for writing)\n"
	      "  burst DIR COUNT   COUNT times: create DIR/bN, setuid(0), memfd_create, AF_PACKET\n",
	      stderr);
	return 2;
}

static int say_ret(const char *what, long ret)
{
	printf("%s ret=%ld errno=%d\n", what, ret < 0 ? (long)-errno : ret, ret < 0 ? errno : 0);
	return ret < 0 ? 1 : 0;
}

static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		perror(dir);
		exit(1);
	}
	return fd;
}

/* Copy file `from` into fd `to`. */
static int copy_into(const char *from, int to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY);

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(to, buf, n) != n) {
			close(in);
			return -1;
		}
	close(in);
	return n < 0 ? -1 : 0;
}

/* A child that waits to be reached into; its pid. */
static pid_t sleeper(void)
{
	pid_t p = fork();

	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static int do_ptrace(const char *how)
{
	pid_t p = sleeper();
	long r;
	int st;

	if (!strcmp(how, "seize"))
		r = ptrace(PTRACE_SEIZE, p, 0, 0);
	else
		r = ptrace(PTRACE_ATTACH, p, 0, 0);
	printf("target=%d\n", p);
	say_ret(how, r);
	if (r == 0) {
		if (!strcmp(how, "seize"))
			ptrace(PTRACE_INTERRUPT, p, 0, 0);
		waitpid(p, &st, 0);
		r = ptrace(PTRACE_POKEDATA, p, (void *)&target_word, (void *)0x2222);
		printf("addr=%lx\n", (unsigned long)&target_word);
		say_ret("poke", r);
		ptrace(PTRACE_DETACH, p, 0, 0);
	}
	reap(p);
	return 0;
}

static int do_traceme(void)
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);

		_exit(r == 0 ? 0 : 1);
	}
	waitpid(p, &st, 0);
	printf("child=%d parent=%d\n", p, getpid());
	return say_ret("traceme", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1);
}

static int do_vm_write(void)
{
	pid_t p = sleeper();
	long v = 0x3333;
	struct iovec local = { &v, sizeof(v) }, remote = { (void *)&target_word, sizeof(v) };
	long r = process_vm_writev(p, &local, 1, &remote, 1, 0);

	printf("target=%d\n", p);
	say_ret("vm_write", r);
	reap(p);
	return 0;
}

static int do_dup_stdio(const char *addr, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int s, fam = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (fam == AF_INET) {
		struct sockaddr_in *in = (void *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(port));
		inet_pton(AF_INET, addr, &in->sin_addr);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		len = sizeof(*in6);
	}
	s = socket(fam, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (void *)&ss, len)) {
		perror("connect");
		return 1;
	}
	printf("sockfd=%d\n", s);
	fflush(stdout);
	/* the reverse-shell wiring: stdin by dup2, stdout by dup3, stderr by
	 * fcntl after a close */
	if (dup2(s, 0) != 0 || dup3(s, 1, 0) != 1)
		return 1;
	close(2);
	if (fcntl(s, F_DUPFD, 0) != 2)
		return 1;
	if (write(1, "hello\n", 6) != 6)
		return 1;
	return 0;
}

/* One file, priv, memfd and socket event per round, counted as done. */
static int do_burst(const char *dir, int count)
{
	int n[4] = { 0 };
	char path[4096];

	for (int i = 0; i < count; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/b%d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		n[0] += fd >= 0;
		if (fd >= 0)
			close(fd);
		n[1] += setuid(0) == 0;
		fd = memfd_create("burst", 0);
		n[2] += fd >= 0;
		if (fd >= 0)
			close(fd);
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		n[3] += fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	printf("burst %d file %d priv %d memfd %d socket %d\n", getpid(), n[0], n[1], n[2], n[3]);
	return 0;
}

static int do_bpf_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	long r;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	strcpy(a.prog_name, "exr_test_prog");
	r = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	return say_ret("bpf", r);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (n >= sizeof(a.sun_path))
		return 2;
	memcpy(a.sun_path, path, n);
	if (path[0] == '@')
		a.sun_path[0] = 0; /* abstract */
	return say_ret("connect", connect(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + n + (path[0] != '@')));
}

static int handle(const char *dir)
{
	struct { struct file_handle h; unsigned char b[128]; } fh = { .h.handle_bytes = 128 };
	int mid, mfd = open_dir(dir);

	if (mfd < 0 || say_ret("name_to_handle", name_to_handle_at(AT_FDCWD, dir, &fh.h, &mid, 0)))
		return 1;
	printf("handle_type=%d handle_bytes=%u\n", fh.h.handle_type, fh.h.handle_bytes);
	return say_ret("open_by_handle", open_by_handle_at(mfd, &fh.h, O_RDONLY | O_DIRECTORY));
}

static int forged_handle(const char *dir, unsigned ino)
{
	struct { struct file_handle h; unsigned v[2]; } fh = { .h = { .handle_bytes = 8, .handle_type = 1 },
							      .v = { ino, 0 } };
	int mfd = open_dir(dir);

	return mfd < 0 ? 1 : say_ret("open_by_handle", open_by_handle_at(mfd, &fh.h, O_RDONLY | O_DIRECTORY));
}

static int reopen_write(const char *file)
{
	char p[64];
	int h = open(file, O_PATH);

	if (say_ret("open_path", h))
		return 1;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", h);
	return say_ret("reopen_write", open(p, O_WRONLY));
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "connect-unix") && argc == 3)
		return connect_unix(argv[2]);
	if (!strcmp(cmd, "handle") && argc == 3)
		return handle(argv[2]);
	if (!strcmp(cmd, "forged-handle") && argc == 4)
		return forged_handle(argv[2], strtoul(argv[3], NULL, 0));
	if (!strcmp(cmd, "reopen-write") && argc == 3)
		return reopen_write(argv[2]);
	if (!strcmp(cmd, "openat") && argc == 6) {
		int d = open_dir(argv[2]);
		return say_ret("openat", openat(d, argv[3], strtol(argv[4], NULL, 8),
						strtol(argv[5], NULL, 8)));
	}
	if (!strcmp(cmd, "unlinkat") && argc == 4)
		return say_ret("unlinkat", unlinkat(open_dir(argv[2]), argv[3], 0));
	if (!strcmp(cmd, "renameat") && argc == 5) {
		int d = open_dir(argv[2]);
		return say_ret("renameat", renameat(d, argv[3], d, argv[4]));
	}
	if (!strcmp(cmd, "fchmodat") && argc == 5)
		return say_ret("fchmodat",
			       fchmodat(open_dir(argv[2]), argv[3], strtol(argv[4], NULL, 8), 0));
	if (!strcmp(cmd, "execat") && argc >= 5) {
		int d = open_dir(argv[2]);
		syscall(SYS_execveat, d, argv[3], argv + 4, environ, 0);
		return say_ret("execat", -1);
	}
	if (!strcmp(cmd, "execveat-empty") && argc >= 4) {
		int fd = open(argv[2], O_RDONLY);
		syscall(SYS_execveat, fd, "", argv + 3, environ, AT_EMPTY_PATH);
		return say_ret("execveat", -1);
	}
	if (!strcmp(cmd, "exec-badptr")) {
		/* execs the kernel refuses (EFAULT) whose strings cannot be read:
		 * a filename at an unmapped address, then an unreadable argument */
		char *bad = (char *)8;
		char *args[] = { "exr-badptr", bad, NULL };

		syscall(SYS_execve, bad, argv, environ);
		say_ret("badfilename", -1);
		syscall(SYS_execve, "/bin/true", args, environ);
		return say_ret("badargv", -1);
	}
	if (!strcmp(cmd, "fexec-memfd") && argc >= 5) {
		int fd = memfd_create(argv[2], 0);
		if (fd < 0 || copy_into(argv[3], fd))
			return say_ret("memfd", -1);
		fexecve(fd, argv + 4, environ);
		return say_ret("fexecve", -1);
	}
	if (!strcmp(cmd, "exec-deleted") && argc >= 5) {
		char path[4096], self[64];
		int fd;

		snprintf(path, sizeof(path), "%s/exr-deleted-%d", argv[3], getpid());
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
		if (fd < 0 || copy_into(argv[2], fd))
			return say_ret("copy", -1);
		close(fd);
		fd = open(path, O_RDONLY);
		unlink(path);
		printf("deleted=%s\n", path);
		fflush(stdout);
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		execve(self, argv + 4, environ);
		return say_ret("exec", -1);
	}
	if (!strcmp(cmd, "setuid") && argc == 3)
		return say_ret("setuid", setuid(atoi(argv[2])));
	if (!strcmp(cmd, "setgid") && argc == 3)
		return say_ret("setgid", setgid(atoi(argv[2])));
	if (!strcmp(cmd, "setresuid") && argc == 5)
		return say_ret("setresuid", syscall(SYS_setresuid, atoi(argv[2]), atoi(argv[3]),
						    atoi(argv[4])));
	if (!strcmp(cmd, "capset-drop")) {
		/* drop every effective capability but keep them permitted */
		struct { __u32 version; int pid; } hdr = { 0x20080522, 0 };
		struct { __u32 eff, perm, inh; } data[2];
		if (syscall(SYS_capget, &hdr, data))
			return say_ret("capget", -1);
		data[0].eff = data[1].eff = 0;
		return say_ret("capset", syscall(SYS_capset, &hdr, data));
	}
	if (!strcmp(cmd, "unshare-net"))
		return say_ret("unshare", unshare(CLONE_NEWNET));
	if (!strcmp(cmd, "clone-newuts")) {
		/* raw clone: a child in a new UTS namespace, reaped */
		long p = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);

		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
		return say_ret("clone", p);
	}
	if (!strcmp(cmd, "setns") && argc == 3) {
		int fd = open(argv[2], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st))
			return say_ret("open", -1);
		printf("ns=%lu\n", (unsigned long)st.st_ino);
		return say_ret("setns", setns(fd, 0));
	}
	if (!strcmp(cmd, "mount") && argc == 5)
		return say_ret("mount", mount(argv[2], argv[3], argv[4], 0, NULL));
	if (!strcmp(cmd, "umount") && argc == 3)
		return say_ret("umount", umount2(argv[2], 0));
	if (!strcmp(cmd, "ptrace-attach"))
		return do_ptrace("attach");
	if (!strcmp(cmd, "ptrace-seize"))
		return do_ptrace("seize");
	if (!strcmp(cmd, "ptrace-traceme"))
		return do_traceme();
	if (!strcmp(cmd, "vm-write"))
		return do_vm_write();
	if (!strcmp(cmd, "packet"))
		return say_ret("packet", socket(AF_PACKET, SOCK_RAW, htons(3)));
	if (!strcmp(cmd, "raw"))
		return say_ret("raw", socket(AF_INET, SOCK_RAW, IPPROTO_TCP));
	if (!strcmp(cmd, "dup-stdio") && argc == 4)
		return do_dup_stdio(argv[2], argv[3]);
	if (!strcmp(cmd, "memfd") && argc == 3)
		return say_ret("memfd", memfd_create(argv[2], 1 /* MFD_CLOEXEC */));
	if (!strcmp(cmd, "bpf-load"))
		return do_bpf_load();
	if (!strcmp(cmd, "burst") && argc == 4)
		return do_burst(argv[2], atoi(argv[3]));
	return usage();
}
