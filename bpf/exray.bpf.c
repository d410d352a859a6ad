// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exray kernel side: schema/exray_events.h records written into one BPF
 * ring buffer, from classic and raw tracepoints only (kprobes, fentry and
 * BPF LSM are not available everywhere exray has to run). One object, one
 * skeleton; each family lives in its own header:
 *
 *   common.bpf.h   options, ring, losses, scratch, task block, cgroup records
 *   path.bpf.h     paths as the kernel resolved them (dentry walk, join)
 *   process.bpf.h  exec (+ image, cwd, tty, caps), failed exec, fork, exit,
 *                  the task-iterator snapshot
 *   connect.bpf.h  outbound TCP connects and their outcome
 *   file.bpf.h     file changes and secret reads, filtered in the kernel
 *   cred.bpf.h     credential changes (priv) and ptrace
 *   ns.bpf.h       setns, unshare, clone with CLONE_NEW*, mount, pivot_root
 *   net.bpf.h      packet/raw sockets, a socket dup'ed onto stdin/out/err
 *   misc.bpf.h     memfd_create, BPF program loads
 *   uring.bpf.h    security-relevant io_uring submissions
 *   escape.bpf.h   unix connects, files opened by handle (file records)
 *
 * Programs of the 1.2 families are named after them (file_, priv_, ns_,
 * ptrace_, sock_, memfd_, bpfcmd_, uring_): the loader loads only the
 * families --events asks for.
 */
#include "common.bpf.h"
#include "path.bpf.h"
#include "process.bpf.h"
#include "connect.bpf.h"
#include "file.bpf.h"
#include "cred.bpf.h"
#include "ns.bpf.h"
#include "net.bpf.h"
#include "misc.bpf.h"
#include "uring.bpf.h"
#include "escape.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
