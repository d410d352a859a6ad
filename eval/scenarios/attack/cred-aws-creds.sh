# category: credential-access
# technique: T1552.001
# art: no
# expect: cloud-credential-access credential-search
# layer: mkdir -p root/.aws && printf '[default]\naws_access_key_id = AKIAEXRAYEVAL\naws_secret_access_key = exray/eval\n' > root/.aws/credentials
# desc: AWS credentials are hunted for and read (Falco's Find AWS Credentials)
grep -rl aws_secret_access_key /root /home /opt 2>/dev/null
cat /root/.aws/credentials > /dev/null
