/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* Rx interrupts of a vif port: see xenpv_intr.h. */

#include <errno.h>
#include <poll.h>
#include <string.h>

#include <rte_interrupts.h>
#include <rte_log.h>

#include "xenpv_intr.h"

/* More deliveries than a handle has ports can never be queued. */
#define XENPV_DRAIN_MAX (2 * XENPV_NETIF_MAX_QUEUES)

void
xenpv_evtchn_drain(xenevtchn_handle *xce)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	unsigned int i;

	/* xenevtchn_pending blocks when nothing is pending: poll first */
	for (i = 0; i < XENPV_DRAIN_MAX; i++) {
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
			return;
		if (xenevtchn_pending(xce) < 0)
			return;
	}
}

static void
xenpv_rx_intr_free_instance(struct rte_eth_dev *dev)
{
	if (dev->intr_handle == NULL)
		return;
	rte_intr_vec_list_free(dev->intr_handle);
	rte_intr_instance_free(dev->intr_handle);
	dev->intr_handle = NULL;
}

int
xenpv_rx_intr_configure(struct rte_eth_dev *dev, struct xenpv_rx_intr *ri,
			int logtype, const char *name)
{
	uint16_t nrx = dev->data->nb_rx_queues;
	struct rte_intr_handle *h;
	uint16_t q;
	int rc;

	xenpv_rx_intr_free_instance(dev);
	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	if (nrx > XENPV_NETIF_MAX_QUEUES)
		return -EINVAL;	/* ethdev checked it against dev_info */
	for (q = ri->nb; q < nrx; q++) {
		ri->xce[q] = xenevtchn_open(NULL, 0);
		if (ri->xce[q] == NULL) {
			rc = -(errno ? errno : ENODEV);
			rte_log(RTE_LOG_ERR, logtype,
				"%s: Rx interrupts: cannot open an event-channel handle for RX queue %u: %s\n",
				name, q, strerror(-rc));
			return rc;
		}
		ri->nb = q + 1;
	}

	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		return -ENOMEM;
	dev->intr_handle = h;
	/* EXT: EAL reads nothing from the descriptors; we drain them */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) != 0 ||
	    rte_intr_fd_set(h, xenevtchn_fd(ri->xce[0])) != 0 ||
	    rte_intr_nb_efd_set(h, nrx) != 0 ||
	    rte_intr_max_intr_set(h, nrx + 1) != 0 ||
	    rte_intr_vec_list_alloc(h, "xenpv_rx_intr", nrx) != 0)
		goto fail;
	for (q = 0; q < nrx; q++) {
		if (rte_intr_efds_index_set(h, q, xenevtchn_fd(ri->xce[q])) != 0 ||
		    rte_intr_vec_list_index_set(h, q,
				RTE_INTR_VEC_RXTX_OFFSET + q) != 0)
			goto fail;
	}
	return 0;

fail:
	rte_log(RTE_LOG_ERR, logtype,
		"%s: Rx interrupts: cannot set up the interrupt vectors of %u RX queues\n",
		name, nrx);
	xenpv_rx_intr_free_instance(dev);
	return -ENOMEM;
}

void
xenpv_rx_intr_close(struct rte_eth_dev *dev, struct xenpv_rx_intr *ri)
{
	uint16_t q;

	xenpv_rx_intr_free_instance(dev);
	for (q = 0; q < ri->nb; q++) {
		xenevtchn_close(ri->xce[q]);
		ri->xce[q] = NULL;
	}
	ri->nb = 0;
}

xenevtchn_handle *
xenpv_rx_intr_handle_op(const struct rte_eth_dev *dev,
			const struct xenpv_rx_intr *ri, unsigned int q,
			int logtype, const char *name)
{
	xenevtchn_handle *xce = xenpv_rx_intr_handle(dev, ri, q);

	if (xce == NULL)
		rte_log(RTE_LOG_ERR, logtype,
			"%s: RX queue %u: Rx interrupts are not configured (intr_conf.rxq)\n",
			name, q);
	return xce;
}
