# category: credential-access
# technique: T1552.004
# art: no
# expect: credential-search
# desc: private keys and password files are searched for with find and grep (Falco's Search Private Keys or Passwords)
find / -name 'id_rsa*' -o -name '*.pem' -o -name 'id_ed25519' 2>/dev/null | head -5
grep -ril 'password' /etc /opt 2>/dev/null | head -5
true
