/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What both drivers' vdev glue shares: one table-driven devargs parser (each
 * key a plain decimal in a range, or a word such as "any", or a short name,
 * with a default, given at most once) with one log format, and the remove
 * callback.
 */

#ifndef XENPV_VDEV_H
#define XENPV_VDEV_H

#include <pthread.h>
#include <stdbool.h>

#include <rte_ethdev.h>

#include <bus_vdev_driver.h>

#include "xenpv.h"

/*
 * One devarg: its range, its default, then the value given. The fields
 * after @given are optional (a table row may stop before them):
 *  - @word: a word also accepted instead of a number ("any"); the parser
 *    sets @is_word when it was given (@val keeps the default);
 *  - @str: makes the devarg a name, not a number: the value is copied
 *    there (at most @str_size - 1 characters, each of A-Z a-z 0-9 _ . -,
 *    at least one); min, max and val are not used.
 */
struct xenpv_devarg {
	const char *key;
	unsigned long min;
	unsigned long max;
	unsigned long val;	/* the default, then the parsed value */
	bool required;
	bool given;		/* set by the parser */
	const char *word;
	bool is_word;		/* set by the parser */
	char *str;
	size_t str_size;
};

/* Is @c a character of a name devarg (and of a device name we build)? */
static inline bool
xenpv_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * The netif features either end can be told not to use, the same devargs
 * on both drivers, each 0 or 1 and 1 by default: multi-slot packets (sg),
 * checksum offload (csum), GSO (gso), one event channel per direction
 * (split_evtchn). A driver's table puts XENPV_FEATURE_DEVARGS at its index
 * of the first one; the value of feature f is then at that index + f.
 */
enum xenpv_feature_arg {
	XENPV_ARG_SG,
	XENPV_ARG_CSUM,
	XENPV_ARG_GSO,
	XENPV_ARG_SPLIT,
	XENPV_FEATURE_ARGS,	/* how many */
};

#define XENPV_FEATURE_DEVARGS \
	{ "sg", 0, 1, 1, false, false }, \
	{ "csum", 0, 1, 1, false, false }, \
	{ "gso", 0, 1, 1, false, false }, \
	{ "split_evtchn", 0, 1, 1, false, false }

/* Their part of RTE_PMD_REGISTER_PARAM_STRING. */
#define XENPV_FEATURE_PARAMS \
	"sg=<0|1> csum=<0|1> gso=<0|1> split_evtchn=<0|1>"

/*
 * What both drivers grant a hostile peer, the same devargs on both: start-
 * overs a minute before back-off (max_reconnects, xenpv_budget, 0: no
 * limit) and the least time between two kicks on a ring (notify_gap_us,
 * xenpv_kick, 0: no limit). Placed and read as XENPV_FEATURE_DEVARGS.
 */
enum xenpv_peer_arg {
	XENPV_ARG_RECONNECTS,
	XENPV_ARG_NOTIFY_GAP,
	XENPV_PEER_ARGS,	/* how many */
};

#define XENPV_PEER_DEVARGS \
	{ "max_reconnects", 0, XENPV_RECONNECTS_MAX, \
	  XENPV_RECONNECTS_DEFAULT, false, false }, \
	{ "notify_gap_us", 0, XENPV_NOTIFY_GAP_US_MAX, \
	  XENPV_NOTIFY_GAP_US_DEFAULT, false, false }

#define XENPV_PEER_PARAMS \
	"max_reconnects=<0-" RTE_STR(XENPV_RECONNECTS_MAX) "> " \
	"notify_gap_us=<0-" RTE_STR(XENPV_NOTIFY_GAP_US_MAX) ">"

/*
 * Both blocks as a driver's table holds them, after its own devargs: its
 * enum names one index for XENPV_COMMON_DEVARGS (the features there, the
 * peer's from there + XENPV_FEATURE_ARGS) and the next free index
 * XENPV_COMMON_ARGS further on.
 */
#define XENPV_COMMON_ARGS (XENPV_FEATURE_ARGS + XENPV_PEER_ARGS)
#define XENPV_COMMON_DEVARGS XENPV_FEATURE_DEVARGS, XENPV_PEER_DEVARGS

/*
 * struct xenpv_cfg (xenpv.h) from the parsed devargs (@common: the table's
 * XENPV_COMMON_DEVARGS); also the reconnect budget's maximum.
 */
void xenpv_cfg_get(struct xenpv_cfg *c, uint16_t *max_reconnects,
		   const struct xenpv_devarg *common);

/*
 * The start of both drivers' probe in the primary process: parse the
 * device's devargs ("k=v,k=v") against @args. An unknown key, a value that
 * is not a plain decimal in [min, max] (nor the devarg's word), a name that
 * is empty, too long or has other characters, a key given twice or a
 * required key missing logs one line naming the device and the key,
 * through @logtype, and returns -EINVAL. A secondary process probes with
 * xenpv_vdev_secondary() instead.
 */
int xenpv_vdev_args(struct rte_vdev_device *vdev, struct xenpv_devarg *args,
		    unsigned int n, int logtype);

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
 * frame the backend's switch sends it (netif has no unicast filter). Both
 * ports are therefore always promiscuous: enabling it is a no-op,
 * disabling it is accepted and filters nothing, as clients such as pktgen
 * and OVS-DPDK expect at start. The multicast filter is per driver
 * (<prefix>_allmulticast_enable/_disable, <prefix>_set_mc_addr_list):
 * net_xennet asks its backend for netif's multicast control
 * (xennet_mcast.c); net_xenback, which gets every frame its guest sends,
 * is always all-multicast and accepts any list without filtering (in a
 * secondary process they are -ENOTSUP).
 */
int xenpv_rx_filter_noop(struct rte_eth_dev *dev);

/*
 * A new MAC for the port (ethdev has checked it is a valid unicast address
 * and stores it). No netif key names it: a guest's frames carry whatever
 * source MAC it sends (the toolstack's mac key stays the vif's identity),
 * and a backend port's MAC is the host end, never on the wire.
 */
int xenpv_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr);

/*
 * rxq_info_get/txq_info_get, both drivers alike: the descriptor count the
 * application asked for (xenpv.h: the ring bounds what is in flight), the
 * RX queue's mempool, scatter setting and mbuf data room (@buf_size), and
 * the port's offloads.
 */
void xenpv_rxq_info(struct rte_eth_dev *dev, struct rte_eth_rxq_info *qi,
		    struct rte_mempool *mp, bool scatter, uint16_t nb_desc,
		    uint16_t buf_size);
void xenpv_txq_info(struct rte_eth_dev *dev, struct rte_eth_txq_info *qi,
		    uint16_t nb_desc);

/*
 * dev_start/dev_stop: mark every RX and TX queue of @dev @state
 * (RTE_ETH_QUEUE_STATE_STARTED or _STOPPED); the queues of a vif start and
 * stop with the port.
 */
void xenpv_queue_states_set(struct rte_eth_dev *dev, uint8_t state);

/*
 * Secondary processes (dpdk-proc-info, dpdk-dumpcap, dpdk-pdump). A port is
 * served by the primary only: its xenstore connection, watches, grant and
 * event-channel handles, ring mappings and control threads are the
 * primary's, and its dev_private holds their addresses in the primary's
 * address space. A secondary attaches to the port's shared data
 * (rte_eth_dev_attach_secondary) and gets the ops below, which read only
 * what lives in DPDK's shared memory: the configuration, the queues'
 * counters (allocated with rte_malloc), the link the control path keeps in
 * dev_data, the mempools; the port's lock is process-shared
 * (xenpv_mutex_init_shared). Its bursts are ethdev's dummy (they move
 * nothing and touch no ring: the rings are mapped in the primary only), so
 * capture goes through the primary's RX/TX callbacks, which is how pdump
 * and dumpcap work. Everything that changes the port (configure, queues,
 * start/stop, MTU, link, interrupts, the multicast filter) and priv_dump
 * (it reads xenstore) return -ENOTSUP there; closing only releases the secondary's view.
 */
#define XENPV_ETH_DEV_OPS_SECONDARY(pfx) \
	.dev_close = pfx ## _dev_close, \
	.dev_infos_get = pfx ## _dev_infos_get, \
	.link_update = pfx ## _link_update, \
	.promiscuous_enable = xenpv_rx_filter_noop, \
	.promiscuous_disable = xenpv_rx_filter_noop, \
	.rxq_info_get = pfx ## _rxq_info_get, \
	.txq_info_get = pfx ## _txq_info_get, \
	.stats_get = pfx ## _stats_get, \
	.stats_reset = pfx ## _stats_reset, \
	.xstats_get = pfx ## _xstats_get, \
	.xstats_get_names = pfx ## _xstats_get_names, \
	.xstats_reset = pfx ## _stats_reset

/*
 * The ethdev operations both drivers offer, in one list: each driver
 * implements <prefix>_<op> (xennet_dev_start, xenback_dev_start...), the
 * receive filters and the MAC come from here. A driver's eth_dev_ops is
 * { XENPV_ETH_DEV_OPS(prefix) }, so the two ports offer the same ops: the
 * read-only ops of a secondary process (above) and those that change the
 * port.
 */
#define XENPV_ETH_DEV_OPS(pfx) \
	XENPV_ETH_DEV_OPS_SECONDARY(pfx), \
	.dev_configure = pfx ## _dev_configure, \
	.dev_start = pfx ## _dev_start, \
	.dev_stop = pfx ## _dev_stop, \
	.dev_set_link_up = pfx ## _dev_set_link_up, \
	.dev_set_link_down = pfx ## _dev_set_link_down, \
	.rx_queue_intr_enable = pfx ## _rx_queue_intr_enable, \
	.rx_queue_intr_disable = pfx ## _rx_queue_intr_disable, \
	.mtu_set = pfx ## _mtu_set, \
	.eth_dev_priv_dump = pfx ## _priv_dump, \
	.mac_addr_set = xenpv_mac_addr_set, \
	.allmulticast_enable = pfx ## _allmulticast_enable, \
	.allmulticast_disable = pfx ## _allmulticast_disable, \
	.set_mc_addr_list = pfx ## _set_mc_addr_list, \
	.rx_queue_setup = pfx ## _rx_queue_setup, \
	.rx_queue_release = pfx ## _rx_queue_release, \
	.tx_queue_setup = pfx ## _tx_queue_setup, \
	.tx_queue_release = pfx ## _tx_queue_release

/* The fast-path queries of a port (after the bursts are set). */
#define XENPV_QUERIES_SET(dev, pfx) do {				\
	(dev)->rx_queue_count = pfx ## _rx_queue_count;			\
	(dev)->rx_descriptor_status = pfx ## _rx_descriptor_status;	\
	(dev)->tx_descriptor_status = pfx ## _tx_descriptor_status;	\
} while (0)

/*
 * The probe of @vdev in a secondary process: attach to the primary's port
 * of the same name with @ops (XENPV_ETH_DEV_OPS_SECONDARY) and the dummy
 * bursts, and finish the probe. -ENODEV when the primary has no such
 * port (ethdev logs it; the caller says what that vdev is).
 */
int xenpv_vdev_secondary(struct rte_vdev_device *vdev,
			 const struct eth_dev_ops *ops);

/*
 * A port's control lock, in dev_private: process-shared, so that a
 * secondary's stats and info ops may take it too.
 */
int xenpv_mutex_init_shared(pthread_mutex_t *m);

/* The vdev remove callback both drivers use: close the port, if any. */
int xenpv_vdev_remove(struct rte_vdev_device *vdev);

/*
 * Register vdev driver @drv (net_xennet, net_xenback) with its probe
 * callback, xenpv_vdev_remove, and the devargs it takes, @params.
 */
#define XENPV_PMD_REGISTER(drv, probe_fn, params)			\
	static struct rte_vdev_driver drv ## _vdev_drv = {		\
		.probe = probe_fn,					\
		.remove = xenpv_vdev_remove,				\
	};								\
	RTE_PMD_REGISTER_VDEV(drv, drv ## _vdev_drv);			\
	RTE_PMD_REGISTER_PARAM_STRING(drv, params)

#endif /* XENPV_VDEV_H */
