# category: credential-access
# technique: T1003.008
# art: no
# expect: sensitive-file-read
# desc: /etc/shadow is read with cat
cat /etc/shadow > /dev/null
