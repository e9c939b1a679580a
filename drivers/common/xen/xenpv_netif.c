/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The netif wire (xenpv_netif.h): what is not inline. */

#include <errno.h>

#include "xenpv_netif.h"

static const char * const xenpv_violation_names[XENPV_VIOL_MAX] = {
	[XENPV_VIOL_NONE] = "none",
	[XENPV_VIOL_REQ_PROD] = "request producer index beyond the ring",
	[XENPV_VIOL_REQ_SLOTS] = "packet with far too many slots",
	[XENPV_VIOL_REQ_CROSS_PAGE] = "slot data crossing a page boundary",
	[XENPV_VIOL_REQ_EXTRA] = "unknown or unterminated extra-info slot",
	[XENPV_VIOL_REQ_GSO] = "GSO extra with a bad size or type",
	[XENPV_VIOL_TX_RSP_OVERFLOW] = "TX response producer beyond requests",
	[XENPV_VIOL_TX_BAD_ID] = "TX response id outside the ring",
	[XENPV_VIOL_TX_STALE_ID] = "TX response for an id not in flight",
	[XENPV_VIOL_TX_BAD_NULL] = "TX null response without an extra slot",
	[XENPV_VIOL_TX_BAD_STATUS] = "TX response status unknown",
	[XENPV_VIOL_RX_RSP_OVERFLOW] = "RX response producer beyond posted buffers",
	[XENPV_VIOL_RX_BAD_ID] = "RX response id is not its slot's",
	[XENPV_VIOL_RX_BAD_BOUNDS] = "RX offset/size outside the posted page",
	[XENPV_VIOL_RX_BAD_EXTRA] = "RX extra info unknown or malformed",
	[XENPV_VIOL_RX_STUCK] = "RX packet longer than the ring",
};

const char *
xenpv_violation_name(uint32_t v)
{
	return v < XENPV_VIOL_MAX ? xenpv_violation_names[v] : "unknown";
}

const char *
xenpv_netif_extra_result_str(enum xenpv_netif_extra_result r)
{
	switch (r) {
	case XENPV_EXTRA_DONE:
		return "complete";
	case XENPV_EXTRA_MORE:
		return "more to come";
	case XENPV_EXTRA_BAD_TYPE:
		return "extra info of an unknown type";
	case XENPV_EXTRA_TOO_MANY:
		return "more extra-info slots than types";
	case XENPV_EXTRA_BAD_GSO:
		return "GSO extra with a bad size or type";
	}
	return "?";
}

/* A plain decimal of at most 19 digits at *p; advances *p past it. */
static int
xenpv_netif_decimal(const char **p, uint64_t *v)
{
	const char *c = *p;
	uint64_t x = 0;

	if (*c < '0' || *c > '9')
		return -EINVAL;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (c - *p >= 19)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*c - '0');
	}
	*p = c;
	*v = x;
	return 0;
}

int
xenpv_netif_parse_rate(const char *s, uint64_t *bytes, uint64_t *usec)
{
	uint64_t b, u;

	if (s == NULL || xenpv_netif_decimal(&s, &b) < 0 || *s++ != ',' ||
	    xenpv_netif_decimal(&s, &u) < 0 || *s != '\0' || u == 0)
		return -EINVAL;
	*bytes = b;
	*usec = u;
	return 0;
}
