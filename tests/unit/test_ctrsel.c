/*
 * The -c resolver (casedb/ctrsel.c): an id prefix, a name, an image, a pod;
 * no match and ambiguous matches refused with the candidates listed; the
 * same id on two hosts is one container.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "casedb/ctrsel.h"
#include "casedb/db.h"

#define A "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
#define B "aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222"
#define C "cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333"

static sqlite3 *db;

static int setup(void **state)
{
	if (db_open(&db, ":memory:", DB_OPEN_CREATE))
		return -1;
	return db_exec(db,
		"INSERT INTO hosts(host_id,hostname,boot_id,boot_to_wall_ns) VALUES(1,'h','b1',0),(2,'h','b2',0);"
		"INSERT INTO containers(host_id,runtime,cid,short_id,name,image,pod_name,pod_namespace,container_name)"
		" VALUES(1,'docker','" A "',substr('" A "',1,12),'web-1','shop/web:1',NULL,NULL,NULL),"
		"(1,'docker','" B "',substr('" B "',1,12),'web-2','shop/web:1',NULL,NULL,NULL),"
		"(1,'containerd','" C "',substr('" C "',1,12),NULL,'shop/api:2','api-5f6','shop','api'),"
		"(2,'containerd','" C "',substr('" C "',1,12),NULL,'shop/api:2','api-5f6','shop','api')") ? -1 : 0;
}

static int teardown(void **state)
{
	db_close(db);
	return 0;
}

static void resolves(const char *spec, const char *want)
{
	char *cid = NULL, err[4096];

	assert_int_equal(ctrsel_resolve(db, spec, &cid, err, sizeof(err)), 0);
	assert_string_equal(cid, want);
	free(cid);
}

static int refused(const char *spec, char *err, size_t len)
{
	char *cid = (char *)1;
	int r = ctrsel_resolve(db, spec, &cid, err, len);

	assert_null(cid);
	return r;
}

static void test_resolve(void **state)
{
	char err[4096];

	resolves("host", "host");
	resolves("web-1", A);
	resolves("aaaa2", B);
	resolves(C, C);            /* on two hosts: one container */
	resolves("cccc", C);
	resolves("shop/api:2", C); /* image */
	resolves("api-5f6", C);    /* pod */
	resolves("shop/api-5f6", C);
	resolves("api-5f6/api", C);
	resolves("api", C);        /* Kubernetes container name */

	assert_int_equal(refused("aaaa", err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "several containers"));
	assert_non_null(strstr(err, "\n  aaaa1111aaaa  web-1  shop/web:1"));
	assert_non_null(strstr(err, "\n  aaaa2222aaaa  web-2  shop/web:1"));
	assert_int_equal(refused("shop/web:1", err, sizeof(err)), -EEXIST);
	assert_int_equal(refused("web", err, sizeof(err)), -ENOENT); /* names match exactly */
	assert_non_null(strstr(err, "matches no container"));
	assert_int_equal(refused("", err, sizeof(err)), -ENOENT);
	/* hostile text in the spec is escaped in the message */
	assert_int_equal(refused("x\033[31m", err, sizeof(err)), -ENOENT);
	assert_null(strchr(err, '\033'));
	/* a small buffer is cut, never overrun */
	assert_int_equal(refused("aaaa", err, 40), -EEXIST);
	assert_true(strlen(err) < 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests_name("ctrsel", tests, setup, teardown);
}
