/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The xstats engine both drivers use (xenpv_xstats.h). */

#include <stdio.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include "xenpv_xstats.h"

static unsigned int
xenpv_xstat_copies(const struct xenpv_xstats_port *p,
		   const struct xenpv_xstat *x)
{
	switch (x->kind) {
	case XENPV_XS_RXQ:
		return p->nb_rxq;
	case XENPV_XS_TXQ:
		return p->nb_txq;
	default:
		return 1;
	}
}

static unsigned int
xenpv_xstats_count(const struct xenpv_xstats_port *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nb; i++)
		n += xenpv_xstat_copies(p, &p->table[i]);
	return n;
}

int
xenpv_xstats_names(const struct xenpv_xstats_port *p,
		   struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int n = xenpv_xstats_count(p);
	unsigned int i, q, k = 0;

	if (names == NULL || size < n)
		return (int)n;
	for (i = 0; i < p->nb; i++) {
		const struct xenpv_xstat *x = &p->table[i];

		if (x->kind != XENPV_XS_RXQ && x->kind != XENPV_XS_TXQ) {
			strlcpy(names[k++].name, x->name,
				sizeof(names[0].name));
			continue;
		}
		for (q = 0; q < xenpv_xstat_copies(p, x); q++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "%s_q%u_%s", x->kind == XENPV_XS_RXQ ?
				 "rx" : "tx", q, x->name);
	}
	return (int)k;
}

int
xenpv_xstats_get(const struct xenpv_xstats_port *p,
		 struct rte_eth_xstat *xstats, unsigned int n)
{
	unsigned int count = xenpv_xstats_count(p);
	unsigned int i, q, k = 0;

	if (xstats == NULL || n < count)
		return (int)count;
	for (i = 0; i < p->nb; i++) {
		const struct xenpv_xstat *x = &p->table[i];
		uint64_t v = 0;

		switch (x->kind) {
		case XENPV_XS_PORT:
			v = p->read(p->ctx, XENPV_XS_PORT, 0, x->off);
			break;
		case XENPV_XS_RX_SUM:
			for (q = 0; q < p->nb_rx_sum; q++)
				v += p->read(p->ctx, XENPV_XS_RXQ, q, x->off);
			break;
		case XENPV_XS_TX_SUM:
			for (q = 0; q < p->nb_tx_sum; q++)
				v += p->read(p->ctx, XENPV_XS_TXQ, q, x->off);
			break;
		default:
			for (q = 0; q < xenpv_xstat_copies(p, x); q++) {
				xstats[k].id = k;
				xstats[k++].value = p->read(p->ctx, x->kind, q,
							     x->off);
			}
			continue;
		}
		xstats[k].id = k;
		xstats[k++].value = v;
	}
	return (int)k;
}
