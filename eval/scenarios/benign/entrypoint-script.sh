# category: benign
# technique: docker-entrypoint.sh rendering its config and exec'ing the server
# image: debian
# mode: entrypoint
# layer: mkdir -p etc/app && printf 'listen=__PORT__\nworkers=__WORKERS__\n' > etc/app/app.conf.tmpl
# desc: the entrypoint renders its config with sed, prepares directories, checks its user and execs the server
set -e
sed -e "s/__PORT__/${PORT:-8000}/" -e "s/__WORKERS__/$(nproc)/" /etc/app/app.conf.tmpl > /etc/app/app.conf
mkdir -p /run/app /var/cache/app
[ "$(id -u)" = 0 ] && chown -R nobody /var/cache/app
if [ -d /docker-entrypoint.d ]; then run-parts /docker-entrypoint.d; fi
exec timeout 1 python3 -m http.server 8000 --bind 127.0.0.1
