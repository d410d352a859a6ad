/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Detection Finding (2004): every alert stored by `exray check`, with its
 * rule (finding_info.analytic), the ATT&CK techniques the rule names
 * (finding_info.attacks), its severity, and the evidence it points at: the
 * process with its image and container, and the connection or packet SYN.
 * finding_info.related_events names the exported event the alert is about
 * (its metadata.uid), so a SIEM can join the two.
 */
#include <string.h>
#include "render/alert_uid.h"
#include "render/ocsf_int.h"

enum { CREATE = 1 };

static const char findings_sql[] =
	"SELECT a.host_id, a.ts, a.rule_id, a.severity, a.message, a.key, "
	ALERT_UID_SQL ", " ALERT_EVIDENCE_UID_SQL ", " ALERT_EVIDENCE_KIND_SQL ","
	" COALESCE(k.family, s.family), COALESCE(k.saddr, s.saddr), COALESCE(k.sport, s.sport),"
	" COALESCE(k.daddr, s.daddr), COALESCE(k.dport, s.dport),"
	" k.conn_id IS NOT NULL OR s.syn_id IS NOT NULL, "
	OCSF_PROC_COLS("p", "p", "e", "c")
	ALERT_FROM
	" LEFT JOIN containers c ON c.container_id = a.container_id"
	" LEFT JOIN processes p ON p.proc_id = a.proc_id"
	" LEFT JOIN execs e ON e.exec_id = COALESCE(a.exec_id, k.exec_id, p.exec_id)"
	" WHERE COALESCE(a.ts + h.boot_to_wall_ns, 0) BETWEEN ?1 AND ?2"
	" AND " OCSF_CONTAINER_FILTER("a.container_id")
	" ORDER BY a.alert_id";
enum {
	A_HOST, A_TS, A_RULE, A_SEVERITY, A_MESSAGE, A_KEY, A_UID, A_EVIDENCE, A_EVIDENCE_KIND,
	A_FAMILY, A_SADDR, A_SPORT, A_DADDR, A_DPORT, A_NET, A_PROC,
};

static int severity_id(const char *s)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };

	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, names[i]))
			return i + 2; /* 2 Low .. 5 Critical */
	return 0;
}

/* finding_info.attacks: T1059.004 is technique T1059, sub-technique
 * T1059.004; T1611 a technique alone. */
static void write_attacks(struct jsonw *w, const char *list)
{
	char id[ATTACK_ID_LEN], url[96];
	bool open = false;

	while (rule_meta_next_attack(&list, id)) {
		size_t dot = strcspn(id, ".");
		if (!open) {
			jw_arr(w, "attacks");
			open = true;
		}
		jw_obj(w, NULL);
		jw_obj(w, "technique");
		jw_strn(w, "uid", id, dot);
		snprintf(url, sizeof(url), "https://attack.mitre.org/techniques/%.*s/", (int)dot, id);
		jw_str(w, "src_url", url);
		jw_end(w);
		if (id[dot]) {
			jw_obj(w, "sub_technique");
			jw_str(w, "uid", id);
			snprintf(url, sizeof(url), "https://attack.mitre.org/techniques/%.*s/%s/", (int)dot, id,
				 id + dot + 1);
			jw_str(w, "src_url", url);
			jw_end(w);
		}
		jw_end(w);
	}
	if (open)
		jw_end(w);
}

int ocsf_write_findings(struct ocsf_ctx *c)
{
	struct jsonw *w = &c->w;
	sqlite3_stmt *st = NULL;
	int r, err;

	if ((err = ocsf_prepare(c, &st, findings_sql)))
		return err;
	while ((r = ocsf_step(c, st)) > 0) {
		const struct ocsf_host *h = ocsf_host(c, ocsf_col_int(st, A_HOST, -1));
		int64_t ts = ocsf_col_int(st, A_TS, 0), wall = h ? ts + h->b2w : 0;
		const char *rule = ocsf_col_text(st, A_RULE), *sev = ocsf_col_text(st, A_SEVERITY);
		const struct rule_meta *ri = rule_meta_find(c->o->rules, c->o->nrules, rule);
		const char *uid = ocsf_col_text(st, A_UID), *evidence = ocsf_col_text(st, A_EVIDENCE);
		const char *kind = ocsf_col_text(st, A_EVIDENCE_KIND) ? ocsf_col_text(st, A_EVIDENCE_KIND) : "";
		bool net = sqlite3_column_int(st, A_NET);
		struct ocsf_proc p;
		int sid = severity_id(sev);

		ocsf_proc_from_row(st, A_PROC, h, &p);
		ocsf_begin(c, OCSF_DETECTION_FINDING, CREATE, "Create", sid, h, wall, uid, "alert");
		jw_str(w, "message", ocsf_col_text(st, A_MESSAGE));
		jw_bool(w, "is_alert", true);
		jw_int(w, "status_id", 1);
		jw_str(w, "status", "New");
		jw_obj(w, "finding_info");
		jw_str(w, "uid", uid);
		jw_str(w, "title", ri && ri->description ? ri->description : rule);
		jw_str(w, "desc", ocsf_col_text(st, A_MESSAGE));
		jw_int(w, "first_seen_time", wall / 1000000);
		jw_int(w, "last_seen_time", wall / 1000000);
		jw_arr(w, "types");
		jw_str(w, NULL, "exray rule");
		jw_end(w);
		jw_obj(w, "analytic");
		jw_str(w, "uid", rule);
		jw_str(w, "name", rule);
		jw_int(w, "type_id", 1);
		jw_str(w, "type", "Rule");
		jw_str(w, "desc", ri ? ri->description : NULL);
		jw_end(w);
		write_attacks(w, ri ? ri->attack : NULL);
		if (evidence) {
			jw_arr(w, "related_events");
			jw_obj(w, NULL);
			jw_str(w, "uid", evidence);
			jw_int(w, "type_uid", !strcmp(kind, "connect") ? OCSF_NETWORK_ACTIVITY * 100LL + 1
					   : !strcmp(kind, "syn")   ? OCSF_NETWORK_ACTIVITY * 100LL + 6
					   : !strcmp(kind, "snapshot")
						? OCSF_PROCESS_ACTIVITY * 100LL + OCSF_ACTIVITY_OTHER
						: OCSF_PROCESS_ACTIVITY * 100LL + 1);
			jw_end(w);
			jw_end(w);
		}
		jw_end(w);
		jw_arr(w, "evidences");
		jw_obj(w, NULL);
		if (p.pid >= 0)
			ocsf_write_process(c, "process", &p, true);
		ocsf_write_container(c, "container", &p);
		if (net) {
			ocsf_write_endpoint(c, "src_endpoint", ocsf_col_text(st, A_SADDR), ocsf_col_int(st, A_SPORT, 0), NULL);
			ocsf_write_endpoint(c, "dst_endpoint", ocsf_col_text(st, A_DADDR), ocsf_col_int(st, A_DPORT, 0), NULL);
			ocsf_write_tcp_out(c, (int)ocsf_col_int(st, A_FAMILY, 4), ocsf_col_text(st, A_DADDR));
		}
		if (p.pid < 0 && !net) { /* evidences needs one artifact */
			jw_obj(w, "data");
			jw_str(w, "rule", rule);
			jw_str(w, "key", ocsf_col_text(st, A_KEY));
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
		jw_end(w);
		c->n->finding++;
	}
	sqlite3_finalize(st);
	return r;
}
