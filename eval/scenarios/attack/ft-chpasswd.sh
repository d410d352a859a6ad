# category: file-tampering
# technique: T1098
# art: no
# expect: auth-file-modified account-change-tool
# image: debian
# desc: the root password is reset with chpasswd
echo 'root:Winter2026!' | chpasswd
