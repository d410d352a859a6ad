/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "text/escape.h"
#include "text/recfmt.h"

char *addr_text(char buf[ADDR_TEXT_LEN], __u8 family, const __u8 addr[16])
{
	if (family == EXRAY_FAMILY_V4)
		inet_ntop(AF_INET, addr, buf, ADDR_TEXT_LEN);
	else if (family == EXRAY_FAMILY_V6)
		inet_ntop(AF_INET6, addr, buf, ADDR_TEXT_LEN);
	else
		strcpy(buf, "?");
	return buf;
}

void hex_id(char out[33], const __u8 b[16])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void hex_uuid(char out[37], const __u8 b[16])
{
	char *p = out;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += snprintf(p, 3, "%02x", b[i]);
	}
}

void argv_write_json(FILE *f, const char *argv, size_t len)
{
	size_t i = 0;
	int first = 1;

	putc('[', f);
	while (argv && i < len) {
		size_t n = strnlen(argv + i, len - i);
		if (!first)
			putc(',', f);
		json_write_strn(f, argv + i, n);
		first = 0;
		i += n + 1;
	}
	putc(']', f);
}

__s64 reader_boot_to_wall(const struct exray_seg_reader *r)
{
	const struct exray_seg_stats *st = exray_seg_reader_last_stats(r);
	const struct exray_seg_header *h = exray_seg_reader_header(r);

	if (st && st->boot_to_wall_ns)
		return st->boot_to_wall_ns;
	return h ? h->boot_to_wall_ns : 0;
}

const char *errno_text(char buf[ERRNO_TEXT_LEN], long long ret)
{
	const char *name = ret < 0 && ret > -4096 ? strerrorname_np((int)-ret) : NULL;

	if (name)
		return name;
	snprintf(buf, ERRNO_TEXT_LEN, "%lld", ret);
	return buf;
}

const char *tcp_state_name(unsigned state)
{
	switch (state) {
	case EXRAY_TCP_ESTABLISHED: return "established";
	case EXRAY_TCP_SYN_SENT: return "syn_sent";
	default: return "failed";
	}
}
