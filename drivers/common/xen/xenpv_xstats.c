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

/*
 * The one walk of the table that both names and values come from, so the
 * two can never go out of step: entry i, copy q is xstat k. Fills @names
 * and/or @xstats (either may be NULL).
 */
static unsigned int
xenpv_xstats_walk(const struct xenpv_xstats_port *p,
		  struct rte_eth_xstat_name *names, struct rte_eth_xstat *xstats)
{
	unsigned int i, q, j, k = 0;

	for (i = 0; i < p->nb; i++) {
		const struct xenpv_xstat *x = &p->table[i];
		bool per_queue = x->kind == XENPV_XS_RXQ ||
				 x->kind == XENPV_XS_TXQ;

		for (q = 0; q < xenpv_xstat_copies(p, x); q++, k++) {
			uint64_t v = 0;

			if (names != NULL && per_queue)
				snprintf(names[k].name, sizeof(names[0].name),
					 "%s_q%u_%s", x->kind == XENPV_XS_RXQ ?
					 "rx" : "tx", q, x->name);
			else if (names != NULL)
				strlcpy(names[k].name, x->name,
					sizeof(names[0].name));
			if (xstats == NULL)
				continue;
			switch (x->kind) {
			case XENPV_XS_RX_SUM:
				for (j = 0; j < p->nb_rx_sum; j++)
					v += p->read(p->ctx, XENPV_XS_RXQ, j,
						     x->off);
				break;
			case XENPV_XS_TX_SUM:
				for (j = 0; j < p->nb_tx_sum; j++)
					v += p->read(p->ctx, XENPV_XS_TXQ, j,
						     x->off);
				break;
			default:	/* a port counter, or queue q's */
				v = p->read(p->ctx, x->kind, q, x->off);
				break;
			}
			xstats[k].id = k;
			xstats[k].value = v;
		}
	}
	return k;
}

/* The ethdev contract of both calls: the count when the array is short. */
static int
xenpv_xstats_fill(const struct xenpv_xstats_port *p,
		  struct rte_eth_xstat_name *names, struct rte_eth_xstat *xstats,
		  unsigned int size)
{
	unsigned int n = xenpv_xstats_count(p);

	if ((names == NULL && xstats == NULL) || size < n)
		return (int)n;
	return (int)xenpv_xstats_walk(p, names, xstats);
}

int
xenpv_xstats_names(const struct xenpv_xstats_port *p,
		   struct rte_eth_xstat_name *names, unsigned int size)
{
	return xenpv_xstats_fill(p, names, NULL, size);
}

int
xenpv_xstats_get(const struct xenpv_xstats_port *p,
		 struct rte_eth_xstat *xstats, unsigned int n)
{
	return xenpv_xstats_fill(p, NULL, xstats, n);
}
