/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet's granted TX pool (devarg tx_pool=N, doc/xennet.rst "Granted
 * TX pool"): a mempool of N mbufs, named XENNET_TX_POOL_NAME_FMT with the
 * port id, whose data rooms (2048 B, two per 4 KiB page, never across a
 * page) lie in pages shared read-only with the backend domain. The
 * application finds it with rte_mempool_lookup and builds frames in it;
 * the TX burst sends such a segment by reference, naming the page's grant
 * (xennet_rxtx.c), instead of copying it into the ring's own pages.
 *
 * What lives where: the mbuf headers and their rte_mbuf_ext_shared_info
 * (rte_pktmbuf_pool_create_extbuf puts it right after each header) are in
 * the mempool's ordinary memory; only the data rooms are in granted pages,
 * which the backend can read and never write.
 *
 * Lifetime: made at probe (the backend domain is known from the vif's
 * keys), with a grant-sharing handle of its own; freed at dev_close if
 * every mbuf is back. The TX rings give back the segments they hold at
 * each teardown (xennet_txq_drop_refs), so after dev_stop only the
 * application can hold any: if it still does at dev_close, the pool, its
 * pages and grants are kept (logged) on a list of kept pools, since
 * freeing them would leave those mbufs pointing at unmapped memory; each
 * later release (the dev_close of any port with a pool) frees those whose
 * mbufs have all come back, as does the creation of a pool (a port probed
 * again with the id of a closed one, whose kept pool has the name it
 * needs: refused while the application holds mbufs of it). The
 * structure is the process's own memory (calloc), as the grant-sharing
 * handle is: the pool is the primary process's only.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "xennet.h"

/* Pools kept at dev_close while the application held some of their mbufs. */
static pthread_mutex_t xennet_tx_pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xennet_tx_pool *xennet_tx_pools_kept;

/* Undo whatever xennet_tx_pool_create did (no mbuf of it is out). */
static void
xennet_tx_pool_destroy(struct xennet_tx_pool *tp)
{
	uint32_t c;

	rte_mempool_free(tp->mp);
	for (c = 0; c < tp->nr_registered; c++)
		rte_extmem_unregister(tp->pages.chunk[c],
				      (size_t)xennet_chunk_pages(&tp->pages, c) *
				      XENPV_PAGE_SIZE);
	if (tp->xgs != NULL) {
		/* revokes every grant of the pool */
		xennet_unshare_pages(tp->xgs, &tp->pages);
		xengntshr_close(tp->xgs);
	}
	free(tp);
}

/* Free the kept pools whose mbufs are all back (under the list's lock). */
static void
xennet_tx_pools_sweep(const char *who)
{
	struct xennet_tx_pool **pp = &xennet_tx_pools_kept;

	while (*pp != NULL) {
		struct xennet_tx_pool *k = *pp;

		if (rte_mempool_avail_count(k->mp) < k->n) {
			pp = &k->next;
			continue;
		}
		*pp = k->next;
		XENNET_LOG(INFO, "%s: granted TX pool %s (kept) freed", who,
			   k->name);
		xennet_tx_pool_destroy(k);
	}
}

int
xennet_tx_pool_create(struct xennet_adapter *ad, uint32_t n, int socket)
{
	struct rte_pktmbuf_extmem ext[XENNET_MAX_CHUNKS];
	bool iova_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	struct xennet_tx_pool *tp;
	uint32_t nr_pages = (n + XENNET_TX_POOL_PER_PAGE - 1) /
		XENNET_TX_POOL_PER_PAGE;
	uint32_t c;
	int rc = -ENOMEM;

	RTE_VERIFY(n > 0 && n <= XENNET_TX_POOL_MAX);
	tp = calloc(1, sizeof(*tp));
	if (tp == NULL)
		goto fail;
	snprintf(tp->name, sizeof(tp->name), XENNET_TX_POOL_NAME_FMT,
		 ad->dev->data->port_id);
	/* a pool of this name kept at a dev_close: freed if it can be */
	pthread_mutex_lock(&xennet_tx_pools_lock);
	xennet_tx_pools_sweep(ad->name);
	pthread_mutex_unlock(&xennet_tx_pools_lock);
	if (rte_mempool_lookup(tp->name) != NULL) {
		XENNET_LOG(ERR, "%s: tx_pool=%u: mempool %s exists: the application still holds mbufs of the pool a closed port of that id left",
			   ad->name, n, tp->name);
		rc = -EEXIST;
		goto fail;
	}
	/* its own handle: the pool may outlive the port (see above) */
	tp->xgs = xengntshr_open(NULL, 0);
	if (tp->xgs == NULL) {
		rc = -(errno ? errno : ENODEV);
		goto fail;
	}
	/* read-only: the backend copies (or maps) frames out of them */
	rc = xennet_share_pages(tp->xgs, ad->be_domid, &tp->pages, nr_pages,
				0);
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: tx_pool=%u: cannot grant %u pages to domain %u: %s (the grant table, or gntalloc's limit, is too small for it: a smaller tx_pool)",
			   ad->name, n, nr_pages, ad->be_domid, strerror(-rc));
		goto fail;
	}
	for (c = 0; c < tp->pages.nr_chunks; c++) {
		size_t len = (size_t)xennet_chunk_pages(&tp->pages, c) *
			XENPV_PAGE_SIZE;

		if (rte_extmem_register(tp->pages.chunk[c], len, NULL, 0,
					XENPV_PAGE_SIZE) != 0) {
			rc = -rte_errno;
			XENNET_LOG(ERR, "%s: tx_pool=%u: cannot register its pages with rte_extmem_register: %s",
				   ad->name, n, rte_strerror(rte_errno));
			goto fail;
		}
		tp->nr_registered++;
		ext[c].buf_ptr = tp->pages.chunk[c];
		/* no device does DMA to it: a vif is grant copies */
		ext[c].buf_iova = iova_va ?
			(rte_iova_t)(uintptr_t)tp->pages.chunk[c] :
			RTE_BAD_IOVA;
		ext[c].buf_len = len;
		ext[c].elt_size = XENNET_TX_POOL_BUF;
	}
	tp->mp = rte_pktmbuf_pool_create_extbuf(tp->name, n,
						RTE_MIN(256u, n / 8), 0,
						XENNET_TX_POOL_BUF, socket,
						ext, tp->pages.nr_chunks);
	if (tp->mp == NULL) {
		rc = -rte_errno;
		XENNET_LOG(ERR, "%s: tx_pool=%u: cannot create mempool %s: %s",
			   ad->name, n, tp->name, rte_strerror(rte_errno));
		goto fail;
	}
	tp->n = n;
	ad->txpool = tp;
	XENNET_LOG(INFO, "%s: granted TX pool %s: %u mbufs of %u B in %u pages shared read-only with domain %u",
		   ad->name, tp->name, n, XENNET_TX_POOL_BUF, nr_pages,
		   ad->be_domid);
	return 0;

fail:
	if (tp != NULL)
		xennet_tx_pool_destroy(tp);
	return rc;
}

/*
 * dev_close (or a failed probe), after the TX rings let go of every
 * segment they held: the pool and its grants go if the application holds
 * none of its mbufs; otherwise they stay (see above).
 */
void
xennet_tx_pool_release(struct xennet_adapter *ad)
{
	struct xennet_tx_pool *tp = ad->txpool;
	unsigned int avail;

	if (tp == NULL)
		return;
	ad->txpool = NULL;
	pthread_mutex_lock(&xennet_tx_pools_lock);
	/* the pools kept earlier whose mbufs have all come back */
	xennet_tx_pools_sweep(ad->name);
	avail = rte_mempool_avail_count(tp->mp);
	if (avail < tp->n) {
		XENNET_LOG(WARNING, "%s: the application still holds %u of the %u mbufs of %s: the pool, its pages and their grants to domain %u are kept until they are all back (freed at a later dev_close or probe of a port with a pool, else when the process exits)",
			   ad->name, tp->n - avail, tp->n, tp->name,
			   ad->be_domid);
		tp->next = xennet_tx_pools_kept;
		xennet_tx_pools_kept = tp;
	} else {
		XENNET_LOG(INFO, "%s: granted TX pool %s freed", ad->name,
			   tp->name);
		xennet_tx_pool_destroy(tp);
	}
	pthread_mutex_unlock(&xennet_tx_pools_lock);
}
