/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The netif wire (xenpv_netif.h): what is not inline. */

#include "xenpv_netif.h"

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
