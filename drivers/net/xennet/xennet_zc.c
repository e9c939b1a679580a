/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet zero-copy receive (devarg rx_zero_copy=1): the pool of
 * granted RX pages of one connection's RX ring (struct xennet_zc_pool,
 * xennet.h), the callback that gives a page back when the application
 * frees the last mbuf attached to it, and the pool's end.
 *
 * Lifetime: the control path creates a pool at a connection and drops
 * the queue's reference at dev_stop, when the port fails, or at the next
 * connection if the pool cannot be used again (xennet_zc_pool_reuse: a
 * backend restart while the application holds some of its pages); every
 * page handed to the application holds one more. The pool, its grants and its mapping stay until the last
 * reference goes, so an mbuf the application still holds across a backend
 * restart (or past dev_stop and dev_close) keeps pointing at a mapped page
 * that nothing posts again. Whoever drops the last reference (the control
 * path, or the lcore freeing the last mbuf) revokes the grants and frees
 * the pool: nothing of it outlives its last user.
 */

#include <errno.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "xennet.h"
#include "xenpv_zc.h"

static void
xennet_zc_pool_destroy(struct xennet_zc_pool *pool)
{
	if (pool->xgs != NULL) {
		/* revokes every grant of the pool */
		xennet_unshare_pages(pool->xgs, &pool->pages);
		xengntshr_close(pool->xgs);
	}
	rte_ring_free(pool->returned);
	rte_free(pool->stack);
	rte_free(pool->page);
	rte_free(pool);
}

/* Drop one reference; the last one destroys the pool (xenpv_zc.h). */
static void
xennet_zc_pool_unref(struct xennet_zc_pool *pool)
{
	if (xenpv_zc_unref(&pool->refs))
		xennet_zc_pool_destroy(pool);
}

/*
 * rte_mbuf_ext_shared_info's free_cb: the application (any lcore) freed
 * the last mbuf attached to a page, or tx_zero_copy's TX ring dropped
 * the last reference (xennet_zc_page_drop). The page goes back to its pool's
 * returned ring, where the burst takes it to post it again (xenpv_zc.h).
 */
void
xennet_zc_page_free(void *addr, void *opaque)
{
	struct xennet_zc_page *pg = opaque;
	struct xennet_zc_pool *pool = pg->pool;

	RTE_SET_USED(addr);
	if (xenpv_zc_give_back(pool->returned, pg->idx, &pool->refs))
		xennet_zc_pool_destroy(pool);
}

struct xennet_zc_pool *
xennet_zc_pool_create(domid_t domid, uint32_t nr, int socket, int *rc)
{
	struct xennet_zc_pool *pool;
	bool iova_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	uint32_t i;

	*rc = -ENOMEM;
	RTE_VERIFY(nr <= XENNET_MAX_PAGES);
	pool = rte_zmalloc_socket("xennet_zc_pool", sizeof(*pool),
				  RTE_CACHE_LINE_SIZE, socket);
	if (pool == NULL)
		return NULL;
	pool->refs = 1;
	pool->nr = nr;
	pool->domid = domid;
	pool->page = rte_zmalloc_socket("xennet_zc_pages",
					nr * sizeof(*pool->page),
					RTE_CACHE_LINE_SIZE, socket);
	pool->stack = rte_malloc_socket("xennet_zc_stack",
					nr * sizeof(*pool->stack), 0, socket);
	pool->returned = xenpv_zc_ring_create("xnzc", nr, socket);
	if (pool->page == NULL || pool->stack == NULL ||
	    pool->returned == NULL)
		goto fail;

	/* its own handle: the pool may outlive the port (see above) */
	pool->xgs = xengntshr_open(NULL, 0);
	if (pool->xgs == NULL) {
		*rc = -(errno ? errno : ENODEV);
		goto fail;
	}
	*rc = xennet_share_pages(pool->xgs, domid, &pool->pages, nr, 1);
	if (*rc < 0)
		goto fail;

	for (i = 0; i < nr; i++) {
		struct xennet_zc_page *pg = &pool->page[i];

		pg->pool = pool;
		pg->idx = i;
		pg->addr = xennet_page(&pool->pages, i);
		pg->gref = pool->pages.refs[i];
		/* no device does DMA to it: a vif is grant copies */
		pg->iova = iova_va ? (rte_iova_t)(uintptr_t)pg->addr :
			RTE_BAD_IOVA;
		pg->shinfo.free_cb = xennet_zc_page_free;
		pg->shinfo.fcb_opaque = pg;
		rte_mbuf_ext_refcnt_set(&pg->shinfo, 1);
		/* the first posted first: page i in slot i at connect */
		pool->stack[nr - 1 - i] = i;
	}
	pool->nr_stack = nr;
	*rc = 0;
	return pool;

fail:
	xennet_zc_pool_destroy(pool);
	return NULL;
}

/*
 * Use @pool again for the queue's next connection (a backend restart,
 * bursts quiesced; hostile review D1), if the application holds none of
 * its pages: every page is free again, the ones the old ring had posted
 * too, and they are posted as a new pool's are (page i in slot i). Returns
 * false, changing nothing, if a page is out: the caller puts the pool and
 * makes a new one, so that no page the application holds is posted again.
 */
bool
xennet_zc_pool_reuse(struct xennet_zc_pool *pool)
{
	void *idx;
	uint32_t i;

	/*
	 * Only the queue's reference: no page is out, and none can go out
	 * (the bursts are quiesced). Acquire: the frees that brought the
	 * pages back (their enqueues) are seen before the drain below.
	 */
	if (__atomic_load_n(&pool->refs, __ATOMIC_ACQUIRE) != 1)
		return false;
	while (rte_ring_sc_dequeue(pool->returned, &idx) == 0)
		;
	for (i = 0; i < pool->nr; i++)
		pool->stack[pool->nr - 1 - i] = i;
	pool->nr_stack = pool->nr;
	return true;
}

/*
 * The queue lets go of its pool (teardown, bursts quiesced). Its posted
 * and free pages are no longer used; pages out with the application keep
 * the pool, and their grants, until they come back.
 */
void
xennet_zc_pool_put(struct xennet_zc_pool *pool)
{
	if (pool != NULL)
		xennet_zc_pool_unref(pool);
}
