/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: the extra-info codec of drivers/common/xen/xenpv_netif.h
 * (xenpv_netif_extra_take), fed a peer's chain of extra-info slots as raw
 * bytes, one struct netif_extra_info per 8 bytes, the way both drivers'
 * ring walks feed it. Beyond the sanitizers, it checks what the walks rely
 * on: a chain ends within XENPV_NETIF_MAX_EXTRAS slots, a GSO extra taken
 * has a non-zero size and a TCPv4/v6 type, and a codec answer other than
 * MORE ends the chain.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv.h"
#include "xenpv_netif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenpv_netif_extras x;
	struct netif_extra_info ex;
	enum xenpv_netif_extra_result r = XENPV_EXTRA_MORE;
	size_t off = 0;
	unsigned int taken = 0;

	xenpv_netif_extras_init(&x);
	while (r == XENPV_EXTRA_MORE && off + sizeof(ex) <= size) {
		/* a private copy, as RING_COPY_RESPONSE makes */
		memcpy(&ex, data + off, sizeof(ex));
		off += sizeof(ex);
		r = xenpv_netif_extra_take(&x, &ex);
		taken++;
		if (taken > XENPV_NETIF_MAX_EXTRAS + 1)
			abort();	/* the chain must be bounded */
		if (xenpv_netif_extra_result_str(r) == NULL)
			abort();
	}
	if (r == XENPV_EXTRA_MORE || r == XENPV_EXTRA_DONE) {
		if (x.nr != taken || x.nr > XENPV_NETIF_MAX_EXTRAS)
			abort();
		if (x.gso_size != 0 &&
		    x.gso_type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    x.gso_type != XEN_NETIF_GSO_TYPE_TCPV6)
			abort();
		if (x.more != (r == XENPV_EXTRA_MORE))
			abort();
	}
	return 0;
}
