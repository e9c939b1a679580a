/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The vdev glue both drivers share (xenpv_vdev.h). */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_log.h>

#include <ethdev_driver.h>

#include "xenpv.h"
#include "xenpv_netif.h"
#include "xenpv_vdev.h"

#define XENPV_DEVARGS_MAX 16

struct xenpv_devarg_ctx {
	const char *name;
	struct xenpv_devarg *arg;
	int logtype;
};

/* A name: 1 to str_size - 1 characters of xenpv_name_char(). */
static int
xenpv_devarg_name(struct xenpv_devarg_ctx *c, const char *key,
		  const char *value)
{
	struct xenpv_devarg *a = c->arg;
	size_t len = value != NULL ? strlen(value) : 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (!xenpv_name_char(value[i]))
			break;
	if (len == 0 || len >= a->str_size || i < len) {
		rte_log(RTE_LOG_ERR, c->logtype,
			"%s: bad value \"%s\" for devarg %s (expected 1 to %zu characters of A-Z a-z 0-9 _ . -)\n",
			c->name, value != NULL ? value : "", key,
			a->str_size - 1);
		return -EINVAL;
	}
	memcpy(a->str, value, len + 1);
	a->given = true;
	return 0;
}

/* A plain decimal number in [min, max] or the devarg's word, nothing else. */
static int
xenpv_devarg_handler(const char *key, const char *value, void *opaque)
{
	struct xenpv_devarg_ctx *c = opaque;
	struct xenpv_devarg *a = c->arg;
	unsigned long v = 0;
	const char *p;

	if (a->str != NULL)
		return xenpv_devarg_name(c, key, value);
	if (a->word != NULL && value != NULL && strcmp(value, a->word) == 0) {
		a->is_word = true;
		a->given = true;
		return 0;
	}
	if (value == NULL || *value == '\0' || strlen(value) > 10)
		goto bad;
	for (p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < a->min || v > a->max)
		goto bad;
	a->val = v;
	a->given = true;
	return 0;
bad:
	rte_log(RTE_LOG_ERR, c->logtype,
		"%s: bad value \"%s\" for devarg %s (expected %lu to %lu%s%s)\n",
		c->name, value != NULL ? value : "", key, a->min, a->max,
		a->word != NULL ? " or " : "", a->word != NULL ? a->word : "");
	return -EINVAL;
}

static int
xenpv_devargs_parse(const char *name, const char *params,
		    struct xenpv_devarg *args, unsigned int n, int logtype)
{
	const char *keys[XENPV_DEVARGS_MAX + 1];
	char valid[256] = "";
	struct rte_kvargs *kv;
	unsigned int i;
	int rc = 0;

	RTE_VERIFY(n <= XENPV_DEVARGS_MAX);
	for (i = 0; i < n; i++) {
		keys[i] = args[i].key;
		args[i].given = false;
		args[i].is_word = false;
		if (i > 0)
			strlcat(valid, ", ", sizeof(valid));
		strlcat(valid, args[i].key, sizeof(valid));
	}
	keys[n] = NULL;
	kv = rte_kvargs_parse(params != NULL ? params : "", keys);
	if (kv == NULL) {
		rte_log(RTE_LOG_ERR, logtype,
			"%s: cannot parse devargs \"%s\" (valid: %s)\n",
			name, params != NULL ? params : "", valid);
		return -EINVAL;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct xenpv_devarg_ctx c = {
			.name = name, .arg = &args[i], .logtype = logtype,
		};
		unsigned int count = rte_kvargs_count(kv, args[i].key);

		if (count == 0 && args[i].required) {
			rte_log(RTE_LOG_ERR, logtype,
				"%s: devarg %s is required\n", name,
				args[i].key);
			rc = -EINVAL;
		} else if (count > 1) {
			rte_log(RTE_LOG_ERR, logtype,
				"%s: devarg %s given %u times\n", name,
				args[i].key, count);
			rc = -EINVAL;
		} else if (count == 1 &&
			   rte_kvargs_process(kv, args[i].key,
					      xenpv_devarg_handler, &c) != 0) {
			rc = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return rc;
}

int
xenpv_vdev_args(struct rte_vdev_device *vdev, struct xenpv_devarg *args,
		unsigned int n, int logtype)
{
	return xenpv_devargs_parse(rte_vdev_device_name(vdev),
				   rte_vdev_device_args(vdev), args, n,
				   logtype);
}

int
xenpv_vdev_secondary(struct rte_vdev_device *vdev,
		     const struct eth_dev_ops *ops)
{
	struct rte_eth_dev *dev;

	/* NULL: the primary has no port of that name (ethdev logs it) */
	dev = rte_eth_dev_attach_secondary(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return -ENODEV;
	dev->device = &vdev->device;
	dev->dev_ops = ops;
	/* no ring is mapped here: the primary moves the packets */
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

int
xenpv_mutex_init_shared(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	rc = pthread_mutexattr_init(&a);
	if (rc != 0)
		return -rc;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return -rc;
}

int
xenpv_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	/*
	 * Released already (rte_eth_dev_close): a secondary process keeps
	 * the shared data's address, and with it the name, in a port it
	 * released (dpdk-proc-info closes its ports, then EAL's cleanup
	 * removes the devices).
	 */
	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL || dev->state == RTE_ETH_DEV_UNUSED)
		return 0;
	/* closing also releases the port */
	return rte_eth_dev_close(dev->data->port_id);
}

void
xenpv_dev_info_common(struct rte_eth_dev_info *info, unsigned int order,
		      uint16_t max_mtu, uint32_t min_rx_bufsize)
{
	info->max_rx_queues = XENPV_NETIF_MAX_QUEUES;
	info->max_tx_queues = XENPV_NETIF_MAX_QUEUES;
	info->max_mac_addrs = 1;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = max_mtu;
	info->max_rx_pktlen = (uint32_t)max_mtu + RTE_ETHER_HDR_LEN;
	info->min_rx_bufsize = min_rx_bufsize;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;

	info->rx_desc_lim.nb_max = XENPV_NB_DESC_MAX;
	info->rx_desc_lim.nb_min = XENPV_NB_DESC_MIN;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = XENPV_NB_DESC_MAX;
	info->tx_desc_lim.nb_min = XENPV_NB_DESC_MIN;
	info->tx_desc_lim.nb_align = 1;
	info->default_rxportconf.ring_size = XENPV_RX_RING_SIZE(order);
	info->default_txportconf.ring_size = XENPV_TX_RING_SIZE(order);
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
}

int
xenpv_rx_filter_noop(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

int
xenpv_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(addr);
	return 0;
}

void
xenpv_queue_states_set(struct rte_eth_dev *dev, uint8_t state)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = state;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = state;
}

void
xenpv_rxq_info(struct rte_eth_dev *dev, struct rte_eth_rxq_info *qi,
	       struct rte_mempool *mp, bool scatter, uint16_t nb_desc,
	       uint16_t buf_size)
{
	qi->mp = mp;
	qi->scattered_rx = scatter;
	qi->nb_desc = nb_desc;
	qi->rx_buf_size = buf_size;
	qi->conf.offloads = dev->data->dev_conf.rxmode.offloads;
}

void
xenpv_txq_info(struct rte_eth_dev *dev, struct rte_eth_txq_info *qi,
	       uint16_t nb_desc)
{
	qi->nb_desc = nb_desc;
	qi->conf.offloads = dev->data->dev_conf.txmode.offloads;
}

void
xenpv_cfg_get(struct xenpv_cfg *c, uint16_t *max_reconnects,
	      const struct xenpv_devarg *common)
{
	const struct xenpv_devarg *feat = common;
	const struct xenpv_devarg *peer = common + XENPV_FEATURE_ARGS;

	c->sg = feat[XENPV_ARG_SG].val != 0;
	c->csum = feat[XENPV_ARG_CSUM].val != 0;
	c->gso = feat[XENPV_ARG_GSO].val != 0;
	c->split = feat[XENPV_ARG_SPLIT].val != 0;
	c->notify_gap_us = (uint16_t)peer[XENPV_ARG_NOTIFY_GAP].val;
	*max_reconnects = (uint16_t)peer[XENPV_ARG_RECONNECTS].val;
}
