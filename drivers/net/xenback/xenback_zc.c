/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback zero-copy receive (devarg rx_zero_copy=1, with persistent
 * grants): the context of one guest TX ring (struct xenback_zc,
 * xenback.h), the callback that tells the ring's burst a held packet's
 * mbufs are all freed, and the context's end.
 *
 * With persistent grants the guest's TX pages are mapped into this process
 * for the whole connection (xenback_pgnt.c). The guest TX burst
 * (xenback_guest_tx.c) copies a packet's first XENBACK_ZC_HEAD bytes into
 * the head mbuf and attaches the rest of its pages to further mbufs of the
 * chain, instead of copying them. The guest may not reuse a page until its
 * request is answered, so the answer waits until the application has freed
 * every mbuf attached to it, as Linux netback's zero-copy callback makes
 * its answers wait.
 *
 * At most half the ring's slots are held (each held packet takes a record
 * and its slots from the budget, struct xenback_zc): beyond, packets are
 * copied, so an application that keeps mbufs (or a
 * device that frees them late) never stops the guest's TX ring; answers
 * go out in the order the application frees, which our frontend and Linux
 * netfront accept (responses carry the request's id). The one thing this
 * gives up: a backend process restarted in place cannot resume a ring
 * whose answers went out of order (doc/xenback.rst); the connection
 * starts over.
 *
 * Lifetime: created at a connection with the ring's persistent grants;
 * the ring's reference is dropped at teardown (a disconnect, a violation,
 * dev_stop, the port's close); every held packet holds one more. Whoever
 * drops the last one unmaps the pages and frees the context, so a page
 * stays mapped exactly as long as an mbuf still points into it, and no
 * answer of an old connection ever reaches a new ring.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#include "xenback.h"
#include "xenpv_zc.h"

static void
xenback_zc_destroy(struct xenback_zc *zc)
{
	xenback_pgnt_destroy(&zc->pgnt);
	if (zc->xgt != NULL)
		xengnttab_close(zc->xgt);
	rte_ring_free(zc->done);
	rte_free(zc->held);
	rte_free(zc);
}

/*
 * rte_mbuf_ext_shared_info's free_cb: the application (any lcore) freed
 * the last mbuf attached to a held packet's pages. The packet goes to the
 * done ring, where the ring's next burst answers its requests
 * (xenpv_zc.h).
 */
static void
xenback_zc_free_cb(void *addr, void *opaque)
{
	struct xenback_zc_held *h = opaque;

	RTE_SET_USED(addr);
	if (xenpv_zc_give_back(h->zc->done, h->idx, &h->zc->refs))
		xenback_zc_destroy(h->zc);
}

int
xenback_zc_create(struct xenback_zc **zcp, uint16_t domid,
		  unsigned int slots, int socket)
{
	struct xenback_zc *zc;
	unsigned int i, nr = slots / 2;
	int rc = -ENOMEM;

	zc = rte_zmalloc_socket("xenback_zc", sizeof(*zc), RTE_CACHE_LINE_SIZE,
				socket);
	if (zc == NULL)
		return -ENOMEM;
	zc->refs = 1;
	zc->nr = nr;
	zc->held = rte_zmalloc_socket("xenback_zc_held",
				      nr * sizeof(*zc->held),
				      RTE_CACHE_LINE_SIZE, socket);
	zc->done = xenpv_zc_ring_create("xbzc", nr, socket);
	if (zc->held == NULL || zc->done == NULL)
		goto fail;
	/* its own handle: the mappings may outlive the port's (see above) */
	zc->xgt = xengnttab_open(NULL, 0);
	if (zc->xgt == NULL) {
		rc = -(errno ? errno : ENODEV);
		goto fail;
	}
	/* the guest's TX grants, read-only, each mapped as first named */
	rc = xenback_pgnt_create(&zc->pgnt, zc->xgt, domid, slots, false);
	if (rc < 0)
		goto fail;
	for (i = 0; i < nr; i++) {
		struct xenback_zc_held *h = &zc->held[i];

		h->zc = zc;
		h->idx = (uint16_t)i;
		h->next_free = (uint16_t)(i + 1);
		h->shinfo.free_cb = xenback_zc_free_cb;
		h->shinfo.fcb_opaque = h;
	}
	zc->free_head = 0;
	zc->nr_free = nr;
	zc->slots_free = nr;
	*zcp = zc;
	return 0;

fail:
	xenback_zc_destroy(zc);
	return rc;
}

/*
 * The ring lets go of its context (teardown, the burst's guard closed).
 * Held packets keep it, and their pages mapped, until they come back;
 * their answers are never written (the ring is gone).
 */
void
xenback_zc_put(struct xenback_zc **zcp)
{
	if (*zcp == NULL)
		return;
	if (xenpv_zc_unref(&(*zcp)->refs))
		xenback_zc_destroy(*zcp);
	*zcp = NULL;
}
