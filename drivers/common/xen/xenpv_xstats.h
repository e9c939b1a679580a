/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Extended statistics, one engine for both drivers.
 *
 * A driver describes its xstats as one table of counters, each a uint64_t
 * at an offset in one of three structures: the port's, an RX queue's or a
 * TX queue's. A counter is reported either once for the port (a queue
 * counter then summed over the queues the driver names) or once per
 * configured ethdev queue as "rx_q<N>_<name>" / "tx_q<N>_<name>".
 *
 * Names follow DPDK's convention, which clients filter on: OVS-DPDK shows
 * only names ending in "_errors" or "_dropped", containing "_management_",
 * or "rx_q<N>_packets"/"_bytes". So every error or drop counter of the
 * port is named "<dir>_<what>_errors" or "<dir>_<what>_dropped"; counters
 * that are neither (calls, kicks, offloaded packets) keep plain names and
 * are seen through telemetry and testpmd.
 *
 * The driver reads each value through a callback, so that it decides how
 * (a relaxed atomic load, minus a reset base, under a lock for port
 * counters). The set of names depends only on the configured queue counts,
 * stable between dev_configure calls, as clients that cache ids require.
 */

#ifndef XENPV_XSTATS_H
#define XENPV_XSTATS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>

/* Where a counter lives, and how it is reported. */
enum xenpv_xstat_kind {
	XENPV_XS_PORT,		/* in the port's structure, once */
	XENPV_XS_RX_SUM,	/* in each RX queue's, summed, once */
	XENPV_XS_TX_SUM,	/* in each TX queue's, summed, once */
	XENPV_XS_RXQ,		/* in each RX queue's, per queue */
	XENPV_XS_TXQ,		/* in each TX queue's, per queue */
};

struct xenpv_xstat {
	const char *name;	/* port-wide name, or the part after rx_q<N>_ */
	enum xenpv_xstat_kind kind;
	uint32_t off;		/* offset of the uint64_t counter */
};

#define XENPV_XSTAT(n, k, type, field) \
	{ (n), (k), (uint32_t)offsetof(type, field) }

/*
 * The connection counters both drivers keep (struct xenpv_vif_counts, in
 * xenpv.h) as port xstats, under the same names on both: @type is the
 * driver's port structure, @cnt its struct xenpv_vif_counts member.
 */
#define XENPV_XSTATS_VIF_COUNTS(type, cnt) \
	XENPV_XSTAT("protocol_violation_errors", XENPV_XS_PORT, type, \
		    cnt.violations), \
	XENPV_XSTAT("vif_management_connections", XENPV_XS_PORT, type, \
		    cnt.connects), \
	XENPV_XSTAT("vif_management_disconnections", XENPV_XS_PORT, type, \
		    cnt.disconnects), \
	XENPV_XSTAT("vif_management_reconnects_delayed", XENPV_XS_PORT, type, \
		    cnt.reconnects_delayed)

/*
 * Reads one counter. @kind is XENPV_XS_PORT (q unused), XENPV_XS_RXQ or
 * XENPV_XS_TXQ (queue @q); the engine does the sums.
 */
typedef uint64_t (*xenpv_xstat_read_t)(void *ctx,
				       enum xenpv_xstat_kind kind,
				       unsigned int q, uint32_t off);

/* What the engine needs of a port, besides the table. */
struct xenpv_xstats_port {
	const struct xenpv_xstat *table;
	unsigned int nb;		/* entries in @table */
	unsigned int nb_rxq;		/* queues listed per queue */
	unsigned int nb_txq;
	unsigned int nb_rx_sum;		/* queue structures summed */
	unsigned int nb_tx_sum;
	xenpv_xstat_read_t read;
	void *ctx;
};

/* The xstats_get_names op: the count, or the names (if @size fits). */
int xenpv_xstats_names(const struct xenpv_xstats_port *p,
		       struct rte_eth_xstat_name *names, unsigned int size);

/* The xstats_get op: the count, or the values (if @n fits). */
int xenpv_xstats_get(const struct xenpv_xstats_port *p,
		     struct rte_eth_xstat *xstats, unsigned int n);

#endif /* XENPV_XSTATS_H */
