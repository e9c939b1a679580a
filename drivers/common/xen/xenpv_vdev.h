/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What both drivers' vdev glue shares: one table-driven devargs parser (each
 * key a plain decimal in a range, with a default, given at most once) with
 * one log format, and the remove callback.
 */

#ifndef XENPV_VDEV_H
#define XENPV_VDEV_H

#include <stdbool.h>

#include <rte_ethdev.h>

#include <bus_vdev_driver.h>

/* One devarg: its range, its default, then the value given. */
struct xenpv_devarg {
	const char *key;
	unsigned long min;
	unsigned long max;
	unsigned long val;	/* the default, then the parsed value */
	bool required;
	bool given;		/* set by the parser */
};

/*
 * Parse @params ("k=v,k=v") against @args. An unknown key, a value that is
 * not a plain decimal in [min, max], a key given twice or a required key
 * missing logs one line naming the device @name and the key, through
 * @logtype, and returns -EINVAL.
 */
int xenpv_devargs_parse(const char *name, const char *params,
			struct xenpv_devarg *args, unsigned int n,
			int logtype);

/*
 * What both drivers report alike in dev_infos_get: any queue layout up to
 * XENPV_NETIF_MAX_QUEUES each (mapped onto the connection's netif queues),
 * any descriptor count (the ring bounds what is in flight), the ring sizes
 * of @order as the default counts, the MTU range up to @max_mtu, one MAC,
 * a fixed link. The caller adds its offloads and segment limits.
 */
void xenpv_dev_info_common(struct rte_eth_dev_info *info,
			   unsigned int order, uint16_t max_mtu,
			   uint32_t min_rx_bufsize);

/*
 * Receive filters of a vif, either end. A vif is a point-to-point link:
 * the backend gets every frame its guest sends, and the guest gets every
 * frame the backend's switch sends it (netif has no unicast filter; the
 * multicast filter needs the multicast control, not negotiated). Both ports
 * are therefore always promiscuous and all-multicast: enabling either is a
 * no-op, disabling either is accepted and filters nothing, as clients such
 * as pktgen and OVS-DPDK expect at start.
 */
int xenpv_rx_filter_noop(struct rte_eth_dev *dev);

/*
 * A new MAC for the port (ethdev has checked it is a valid unicast address
 * and stores it). No netif key names it: a guest's frames carry whatever
 * source MAC it sends (the toolstack's mac key stays the vif's identity),
 * and a backend port's MAC is the host end, never on the wire.
 */
int xenpv_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr);

/* The vdev remove callback both drivers use: close the port, if any. */
int xenpv_vdev_remove(struct rte_vdev_device *vdev);

#endif /* XENPV_VDEV_H */
