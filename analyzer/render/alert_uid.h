/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The stable identity of an alert, the same in every export (OCSF
 * finding_info.uid, the ClickHouse alerts table) and in any case database
 * holding the same recording. An alert is unique by (rule, key) and keys
 * name row ids ('c<conn_id>', 'e<exec_id>', 's<syn_id>', the default
 * 'p<proc_id>:e<exec_id>:c<conn_id>'), which mean nothing outside one case
 * database: the uid says the same with the recorded events' own uids
 * (ocsf_event_uid(), ocsf_syn_uid()); a key of another form is content the
 * rule chose, kept as it is.
 *
 * SQL over these aliases: a alerts, h hosts, k connections (a.conn_id),
 * x execs (a.exec_id), kc / kx the connection / exec the key names, s the
 * packet SYN the key names: ALERT_FROM joins them.
 */
#ifndef EXRAY_ALERT_UID_H
#define EXRAY_ALERT_UID_H

#define ALERT_FROM                                                                       \
	" FROM alerts a LEFT JOIN hosts h ON h.host_id = a.host_id"                      \
	" LEFT JOIN connections k ON k.conn_id = a.conn_id"                              \
	" LEFT JOIN execs x ON x.exec_id = a.exec_id"                                    \
	" LEFT JOIN connections kc ON a.key GLOB 'c[0-9]*'"                              \
	"  AND kc.conn_id = CAST(substr(a.key, 2) AS INTEGER) AND kc.host_id = a.host_id" \
	" LEFT JOIN execs kx ON a.key GLOB 'e[0-9]*'"                                    \
	"  AND kx.exec_id = CAST(substr(a.key, 2) AS INTEGER) AND kx.host_id = a.host_id" \
	" LEFT JOIN syns s ON a.conn_id IS NULL AND a.key GLOB 's[0-9]*'"                \
	"  AND s.syn_id = CAST(substr(a.key, 2) AS INTEGER) AND s.host_id = a.host_id"

/* Recorded events' uids (as ocsf_event_uid() and ocsf_syn_uid() write them). */
#define CONN_UID_SQL(K) "h.boot_id || ':connect:' || " K ".pid || ':' || " K ".start || ':' || " K ".ts"
#define EXEC_UID_SQL(X) "h.boot_id || ':' || " X ".kind || ':' || " X ".pid || ':' || " X ".start || ':' || " X ".ts"
#define SYN_UID_SQL \
	"h.boot_id || ':syn:' || s.ifindex || ':' || s.sport || ':' || s.ts || ':' || s.dport"

/* The event an alert is about, for finding_info.related_events: the one
 * its key names, else its exec, else its connection; NULL: none. */
#define ALERT_EVIDENCE_UID_SQL                                                           \
	"CASE WHEN kc.conn_id IS NOT NULL THEN " CONN_UID_SQL("kc")                       \
	" WHEN kx.exec_id IS NOT NULL THEN " EXEC_UID_SQL("kx")                           \
	" WHEN s.syn_id IS NOT NULL THEN " SYN_UID_SQL                                    \
	" WHEN x.exec_id IS NOT NULL THEN " EXEC_UID_SQL("x")                             \
	" WHEN k.conn_id IS NOT NULL THEN " CONN_UID_SQL("k") " END"

/* What that evidence is: 'connect', 'syn', 'exec', 'snapshot' or NULL. */
#define ALERT_EVIDENCE_KIND_SQL                                                          \
	"CASE WHEN kc.conn_id IS NOT NULL THEN 'connect' WHEN kx.exec_id IS NOT NULL THEN kx.kind" \
	" WHEN s.syn_id IS NOT NULL THEN 'syn' WHEN x.exec_id IS NOT NULL THEN x.kind"    \
	" WHEN k.conn_id IS NOT NULL THEN 'connect' END"

/* The alert's uid: the rule, then its key in stable terms. */
#define ALERT_UID_SQL                                                                    \
	"a.rule_id || ':' || CASE"                                                       \
	" WHEN kc.conn_id IS NOT NULL THEN " CONN_UID_SQL("kc")                           \
	" WHEN kx.exec_id IS NOT NULL THEN " EXEC_UID_SQL("kx")                           \
	" WHEN s.syn_id IS NOT NULL THEN " SYN_UID_SQL                                    \
	" WHEN a.key GLOB 'p*:e*:c*' THEN COALESCE(h.boot_id, '?') || ':proc:' ||"        \
	"  COALESCE(a.pid, -1) || ':' || COALESCE(a.start, -1) || ':' ||"                 \
	"  COALESCE(" EXEC_UID_SQL("x") ", '-') || ':' || COALESCE(" CONN_UID_SQL("k") ", '-')" \
	" ELSE COALESCE(h.boot_id, '?') || ':key:' || a.key END"

#endif /* EXRAY_ALERT_UID_H */
