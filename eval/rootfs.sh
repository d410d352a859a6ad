#!/usr/bin/env bash
# eval/rootfs.sh: build (or reuse) the Debian rootfs that the eval corpus's
# larger scenarios run in: bash, coreutils, python3, curl, openssl, cron,
# sudo, openssh-client and the few servers and tools the benign corpus needs,
# from Debian packages with mmdebstrap. Cached outside the repository
# (EXRAY_EVAL_CACHE, default /var/cache/exray-eval), rebuilt only when this
# package list changes (or with --force).
#
#   eval/rootfs.sh [--force]     (root)  -> $EXRAY_EVAL_CACHE/debian/
#
# `make eval-rootfs` runs it; `make eval` runs it first. The suite follows the
# host's (bookworm here); packages come from the same Debian archive apt uses.
set -eu
CACHE=${EXRAY_EVAL_CACHE:-/var/cache/exray-eval}
OUT=$CACHE/debian
SUITE=${EXRAY_EVAL_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
PKGS=(bash coreutils util-linux procps python3 curl openssl ca-certificates cron sudo
	openssh-client logrotate sqlite3 tcc libc6-dev passwd strace kmod socat
	netcat-openbsd busybox iproute2 findutils sed grep gzip tar less)
force=0
[ "${1:-}" = --force ] && force=1
[ "$(id -u)" = 0 ] || { echo "eval/rootfs.sh: needs root (mmdebstrap, a root-owned rootfs)" >&2; exit 3; }
command -v mmdebstrap >/dev/null || { echo "eval/rootfs.sh: mmdebstrap not installed (run: make deps)" >&2; exit 3; }
want="$SUITE ${PKGS[*]}"
if [ $force = 0 ] && [ -f "$OUT/.exray-eval-rootfs" ] && [ "$(cat "$OUT/.exray-eval-rootfs")" = "$want" ]; then
	echo "eval-rootfs: $OUT is up to date"
	exit 0
fi
mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/debian.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "eval-rootfs: building $OUT ($SUITE, ${#PKGS[@]} packages; a few minutes)"
inc=$(IFS=,; echo "${PKGS[*]}")
# minbase + the list; no recommends: a small, predictable image. The docs
# and man pages are dropped: images usually ship without them.
mmdebstrap --quiet --variant=minbase --include="$inc" \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$SUITE" "$tmp/root"
# An unprivileged user like the busybox rootfs has (uid 1000), with a home.
chroot "$tmp/root" useradd -m -u 1000 -s /bin/bash app
printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/root/etc/hosts"
echo "$want" >"$tmp/root/.exray-eval-rootfs"
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv -T "$OUT" "$OUT.old"
mv -T "$tmp/root" "$OUT"
rm -rf "$OUT.old"
echo "eval-rootfs: $OUT ready ($(du -sh "$OUT" | cut -f1))"
