-- id: shell-spawned-by-service
-- severity: high
-- category: persistence
-- technique: T1505.003
-- falco: Run shell untrusted
-- description: A shell was started by a network service (web server, application server, database): a web shell, a CGI command injection, an RCE.
--
-- Catches the first step of most container intrusions: the service runs a shell
-- for the attacker (`sh -c "ping 1.1.1.1; curl ... | sh"` from a vulnerable CGI, a
-- dropped web shell, a deserialisation RCE in a Java or Node app, a database
-- running COPY ... PROGRAM). The shell's starter is the image its process ran just
-- before (a fork of the service) or its parent's image then. Services are named
-- as in Falco's protected_shell_spawning_binaries: web servers, application
-- servers and databases.
WITH svc(name) AS (VALUES ('httpd'), ('nginx'), ('apache'), ('apache2'), ('lighttpd'), ('caddy'), ('php-fpm'),
                          ('php-fpm7'), ('php-fpm8'), ('uwsgi'), ('gunicorn'), ('unicorn'), ('puma'), ('node'),
                          ('nodejs'), ('java'), ('tomcat'), ('catalina.sh'), ('jboss'), ('postgres'), ('postmaster'),
                          ('mysqld'), ('mariadbd'), ('mongod'), ('redis-server'), ('memcached'), ('elasticsearch'),
                          ('fluentd'), ('consul'), ('smbd'), ('vsftpd'), ('proftpd'), ('sendmail'), ('exim4'), ('postfix'))
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'shell ' || x.filename || ' (pid ' || x.pid || ') in ' || COALESCE(c.short_id, 'host') || ' started by ' ||
         pi.parent_prog || ': ' || COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
JOIN rx_parent_img pi ON pi.exec_id = x.exec_id
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind = 'exec' AND x.ret = 0 AND (x.prog IN rx_shell OR x.ab IN rx_shell)
  AND pi.parent_prog IN svc;
