/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The stable identity of an alert, the same in every export (OCSF
 * finding_info.uid, the ClickHouse alerts table) and in any case database
 * holding the same recording: its rule and the recorded event it is about,
 * as that event's OCSF metadata.uid (ocsf_event_uid(), ocsf_syn_uid()).
 * Row ids of the alerts table mean nothing outside one case database.
 *
 * SQL over these aliases: a alerts, h hosts, k connections (a.conn_id),
 * s syns (a key 's<syn_id>'), x execs (a.exec_id): ALERT_FROM joins them.
 */
#ifndef EXRAY_ALERT_UID_H
#define EXRAY_ALERT_UID_H

#define ALERT_FROM                                                                       \
	" FROM alerts a LEFT JOIN hosts h ON h.host_id = a.host_id"                      \
	" LEFT JOIN connections k ON k.conn_id = a.conn_id"                              \
	" LEFT JOIN syns s ON a.conn_id IS NULL AND a.key GLOB 's[0-9]*'"                \
	"  AND s.syn_id = CAST(substr(a.key, 2) AS INTEGER) AND s.host_id = a.host_id"   \
	" LEFT JOIN execs x ON x.exec_id = a.exec_id"

/* What the evidence is: 'connect', 'syn', 'exec', 'snapshot' or NULL. */
#define ALERT_EVIDENCE_KIND_SQL                                                          \
	"CASE WHEN k.conn_id IS NOT NULL THEN 'connect' WHEN s.syn_id IS NOT NULL THEN 'syn'" \
	" WHEN x.exec_id IS NOT NULL THEN x.kind END"

/* The evidence event's uid, NULL when the alert names none. */
#define ALERT_EVIDENCE_UID_SQL                                                           \
	"CASE WHEN k.conn_id IS NOT NULL"                                                \
	" THEN h.boot_id || ':connect:' || k.pid || ':' || k.start || ':' || k.ts"      \
	" WHEN s.syn_id IS NOT NULL THEN h.boot_id || ':syn:' || s.ifindex || ':' ||"   \
	" s.sport || ':' || s.ts || ':' || s.dport"                                      \
	" WHEN x.exec_id IS NOT NULL"                                                    \
	" THEN h.boot_id || ':' || x.kind || ':' || x.pid || ':' || x.start || ':' || x.ts END"

/* The alert's uid: rule and evidence, else rule, process and time. */
#define ALERT_UID_SQL                                                                    \
	"a.rule_id || ':' || COALESCE(" ALERT_EVIDENCE_UID_SQL ", COALESCE(h.boot_id, '?')" \
	" || ':alert:' || COALESCE(a.pid, -1) || ':' || COALESCE(a.start, -1) || ':' || COALESCE(a.ts, 0))"

#endif /* EXRAY_ALERT_UID_H */
