/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_eth: what the DPDK test applications (test/xenback/xbecho.c,
 * test/xennet/xennet_app.c, the test/pair programs) do alike before their
 * own work: the EAL and then their options in test/lib's option table, and
 * a port's queues. Header only: the rest of test/lib links no DPDK.
 */

#ifndef TL_ETH_H
#define TL_ETH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "tl_log.h"

/*
 * rte_eal_init on the EAL's options, then @cmd's options after "--"
 * (tl_opt_parse). A failed EAL prints "PROG: EAL init failed: WHY" on
 * stderr and exits 2. Returns the index of the first operand in the
 * shifted argv (as tl_opt_parse).
 */
static inline int
tl_eal_opts(const struct tl_cmd *cmd, int argc, char **argv)
{
	int rc = rte_eal_init(argc, argv);

	if (rc < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", cmd->prog,
			rte_strerror(rte_errno));
		exit(2);
	}
	return tl_opt_parse(cmd, argc - rc, argv + rc);
}

/*
 * Set up RX queues 0 to @nrx - 1 (mbufs from @mp) and TX queues 0 to
 * @ntx - 1 of the configured @port, @nb_desc descriptors each (0: the
 * driver's), on this lcore's socket. Returns 0, or the first error with
 * "PROG: port P queue Q: WHY" on stderr.
 */
static inline int
tl_eth_queues(const char *prog, uint16_t port, uint16_t nrx, uint16_t ntx,
	      uint16_t nb_desc, struct rte_mempool *mp)
{
	unsigned int socket = rte_socket_id();
	uint16_t q;
	int rc = 0;

	for (q = 0; q < RTE_MAX(nrx, ntx) && rc == 0; q++) {
		if (q < nrx)
			rc = rte_eth_rx_queue_setup(port, q, nb_desc, socket,
						    NULL, mp);
		if (rc == 0 && q < ntx)
			rc = rte_eth_tx_queue_setup(port, q, nb_desc, socket,
						    NULL);
		if (rc != 0)
			fprintf(stderr, "%s: port %u queue %u: %s\n", prog,
				port, q, strerror(-rc));
	}
	return rc;
}

#endif /* TL_ETH_H */
