# category: container-escape
# technique: T1611
# art: no
# expect: namespace-change-in-container
# opts: --privileged
# desc: a container process unshares new user and mount namespaces to become root in them and mount
unshare -U -r -m sh -c 'id; mount -t tmpfs none /mnt && echo mounted' || true
