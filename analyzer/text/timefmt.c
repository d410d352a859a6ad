/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "text/timefmt.h"

int timefmt_wall(uint64_t ts, int64_t boot_to_wall, int64_t *wall)
{
	if (ts > (uint64_t)INT64_MAX || __builtin_add_overflow((int64_t)ts, boot_to_wall, wall))
		return -ERANGE;
	return 0;
}

char *timefmt_rfc3339_digits(char buf[TIMEFMT_LEN], int64_t wall_ns, int digits)
{
	/* floor division: a time before 1970 keeps a positive fraction */
	int64_t sec = wall_ns / 1000000000, ns = wall_ns % 1000000000;
	char frac[16] = "";
	struct tm tm;
	time_t t;

	if (ns < 0) {
		ns += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, TIMEFMT_LEN, "@%lld", (long long)wall_ns);
		return buf;
	}
	if (digits > 9)
		digits = 9;
	if (digits > 0) {
		snprintf(frac, sizeof(frac), ".%09u", (unsigned)ns);
		frac[1 + digits] = 0; /* truncated, never rounded: no date moves */
	}
	/* int fields of a gmtime result are bounded; the casts tell gcc so */
	snprintf(buf, TIMEFMT_LEN, "%04d-%02u-%02uT%02u:%02u:%02u%sZ", tm.tm_year + 1900,
		 (unsigned char)(tm.tm_mon + 1), (unsigned char)tm.tm_mday,
		 (unsigned char)tm.tm_hour, (unsigned char)tm.tm_min,
		 (unsigned char)tm.tm_sec, frac);
	return buf;
}

char *timefmt_rfc3339(char buf[TIMEFMT_LEN], int64_t wall_ns)
{
	return timefmt_rfc3339_digits(buf, wall_ns, 9);
}

char *timefmt_boot(char buf[TIMEFMT_LEN], uint64_t ts, int64_t boot_to_wall)
{
	int64_t wall;

	if (timefmt_wall(ts, boot_to_wall, &wall)) {
		snprintf(buf, TIMEFMT_LEN, "%s", TIMEFMT_OUT_OF_RANGE);
		return buf;
	}
	return timefmt_rfc3339(buf, wall);
}

void timefmt_boot_json(FILE *f, uint64_t ts, int64_t boot_to_wall)
{
	char buf[TIMEFMT_LEN];
	int64_t wall;

	if (timefmt_wall(ts, boot_to_wall, &wall))
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", timefmt_rfc3339(buf, wall));
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int timefmt_parse(const char *s, int64_t *wall_ns)
{
	int Y, M, D, h = 0, m = 0, sec = 0, zh = 0, zm = 0, sign = 0;
	int64_t frac = 0;
	struct tm tm = { 0 };
	const char *p = s;

	if (*p == '@') {
		char *end;
		errno = 0;
		long long v = strtoll(p + 1, &end, 10);
		if (errno || end == p + 1 || *end)
			return -EINVAL;
		*wall_ns = v;
		return 0;
	}
	if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
	    digits(&p, 2, &D))
		return -EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -EINVAL;
		}
		if (*p == '.') {
			int n = 0;
			p++;
			while (*p >= '0' && *p <= '9') {
				if (n < 9)
					frac = frac * 10 + (*p - '0'), n++;
				p++;
			}
			if (!n)
				return -EINVAL;
			while (n++ < 9)
				frac *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &zh) || *p++ != ':' || digits(&p, 2, &zm))
				return -EINVAL;
		}
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60 ||
	    zh > 23 || zm > 59)
		return -EINVAL;
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	int64_t t = (int64_t)timegm(&tm);
	t -= (int64_t)sign * (zh * 3600 + zm * 60);
	*wall_ns = t * 1000000000 + frac;
	return 0;
}
