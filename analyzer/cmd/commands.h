/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The `exray` commands. Each takes the arguments after `exray` (argv[0] is
 * the command name), parses them with getopt_long (after
 * cli_getopt_reset()), and returns an exit code from cli.h. cmd/main.c holds
 * the table: adding a command is one line there.
 */
#ifndef EXRAY_COMMANDS_H
#define EXRAY_COMMANDS_H

struct exray_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line for `exray --help` */
};

int cmd_ingest(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_containers(int argc, char **argv);
int cmd_baseline(int argc, char **argv); /* analyzer/cmd/cmd_baseline.c */
int cmd_check(int argc, char **argv);  /* analyzer/cmd/cmd_check.c (detection) */
int cmd_sql(int argc, char **argv);    /* analyzer/cmd/cmd_sql.c (detection) */
int cmd_report(int argc, char **argv); /* analyzer/cmd/cmd_report.c (HTML report) */
int cmd_export(int argc, char **argv); /* analyzer/cmd/cmd_export.c (exports) */

#endif
