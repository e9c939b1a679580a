/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: the parsers of values a peer or the toolstack writes
 * into xenstore (drivers/common/xen/xenpv.c): integers
 * (xenpv_parse_uint, behind xenpv_xs_read_uint and every feature flag,
 * queue count, ring order, ring-ref and event channel), paths
 * (xenpv_path_ok) and MACs (xenpv_parse_mac). The first byte picks the parser and its bound,
 * the rest is the value, NUL-terminated as xs_read returns it. Beyond the
 * sanitizers, each accepted value is checked against what the parser
 * promises its callers.
 */

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv.h"
#include "xenpv_netif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Accepted: decimal digits only, at most 20 of them, value within max. */
static void
check_uint(const char *s, unsigned long max)
{
	unsigned long v = 0;
	const char *p;
	int rc;

	rc = xenpv_parse_uint(s, &v, max);
	if (rc != 0) {
		if (rc != -EINVAL && rc != -ERANGE)
			abort();
		return;
	}
	if (*s == '\0' || strlen(s) > 20 || v > max)
		abort();
	for (p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			abort();
	if (strtoul(s, NULL, 10) != v)
		abort();
}

/* Accepted: what the comment of xenpv_path_ok() says, no more. */
static void
check_path(const char *s, const char *prefix)
{
	size_t len = strlen(s);
	const char *c;

	if (!xenpv_path_ok(s, prefix))
		return;
	if (len < 2 || len > XENPV_PATH_MAX - 64 || s[0] != '/' ||
	    s[len - 1] == '/' || strstr(s, "//") != NULL)
		abort();
	if (prefix != NULL &&
	    (strncmp(s, prefix, strlen(prefix)) != 0 || len <= strlen(prefix)))
		abort();
	for (c = s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("/_.@-", *c) == NULL)
			abort();
}

/* Accepted: exactly "xx:xx:xx:xx:xx:xx", hex digits, and that value. */
static void
check_mac(const char *s)
{
	uint8_t mac[6];
	char back[18];
	int i;

	if (xenpv_parse_mac(s, mac) != 0)
		return;
	if (strlen(s) != 17)
		abort();
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			abort();
	snprintf(back, sizeof(back), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (strcasecmp(back, s) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long maxes[] = {
		1, 8, 255, 65535, 0xffffffffUL, 65535UL * 16, ~0UL, 0,
	};
	static const char * const prefixes[] = {
		NULL, "/local/domain/", "/local/domain/0/backend/vif/",
	};
	char *s;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (sel % 3) {
	case 0:
		check_uint(s, maxes[(sel >> 2) & 7]);
		break;
	case 1:
		check_path(s, prefixes[((sel >> 2) & 3) % 3]);
		break;
	default:
		check_mac(s);
		break;
	}
	free(s);
	return 0;
}
