# category: credential-access
# technique: T1003.008
# art: no
# expect: sensitive-file-read
# image: debian
# desc: /etc/shadow is read from python with the path assembled at run time: nothing in any argv names it
python3 -c "p='/etc/'+'sha'+'dow'; print(len(open(p).read()))"
