/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The one place the drivers include Xen's shared-ring and netif headers.
 *
 * xen/io/ring.h expands its RING_PUSH_* and RING_FINAL_CHECK_* macros into
 * xen_mb()/xen_rmb()/xen_wmb(). For any modern __XEN_INTERFACE_VERSION__ the
 * header leaves those barriers to the includer; if nobody defines them the
 * macros either fail to build or, with the legacy interface version, fall
 * back to kernel barrier names that mean nothing in userspace. So this
 * header pins the interface version and maps the three barriers onto C11
 * fences before including Xen's headers:
 *
 *  xen_wmb  release fence: our slot writes are visible before the producer
 *           index store that follows it;
 *  xen_rmb  acquire fence: the peer's slot contents are read only after the
 *           producer index load that precedes it;
 *  xen_mb   full fence: our producer store is ordered before our load of the
 *           peer's event index (the notify-suppression handshake). On x86
 *           this is the only barrier that costs an instruction.
 *
 * On top of the macros, the drivers use the small inlines below, each
 * owning its barrier (the model is virtio's virtqueue.h): a burst reads the
 * peer's producer index once with acquire semantics and publishes its own
 * once with release semantics.
 */

#ifndef XENPV_RING_H
#define XENPV_RING_H

#ifdef XEN_IO_RING_H_WAS_INCLUDED
#error "include xenpv_ring.h before any xen/io header"
#endif

#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <stdint.h>
#include <rte_atomic.h>

#define xen_mb()  rte_atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() rte_atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() rte_atomic_thread_fence(__ATOMIC_RELEASE)

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#define XEN_IO_RING_H_WAS_INCLUDED 1

/* Size of a grant (a Xen page); ring slots never cross one. */
#define XENPV_PAGE_SHIFT 12
#define XENPV_PAGE_SIZE (1u << XENPV_PAGE_SHIFT)

/* Our multi-page ring extension: at most 2^4 pages per ring. */
#define XENPV_MAX_RING_PAGE_ORDER 4
#define XENPV_MAX_RING_PAGES (1u << XENPV_MAX_RING_PAGE_ORDER)

/* Ring slots for a ring of 2^order pages, from ring.h's own arithmetic. */
#define XENPV_TX_RING_SIZE(order) \
	__CONST_RING_SIZE(netif_tx, XENPV_PAGE_SIZE << (order))
#define XENPV_RX_RING_SIZE(order) \
	__CONST_RING_SIZE(netif_rx, XENPV_PAGE_SIZE << (order))

/*
 * Producer indices of the peer: read once per burst. The acquire load
 * orders every later read of the slots the peer filled after the load, so
 * we never see an index that runs ahead of its slot contents.
 */
static inline RING_IDX
xenpv_load_acquire(const RING_IDX *idx)
{
	return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

/*
 * Our own producer index: published once per burst. The release store makes
 * every slot written before it visible to the peer before the index is.
 */
static inline void
xenpv_store_release(RING_IDX *idx, RING_IDX val)
{
	__atomic_store_n(idx, val, __ATOMIC_RELEASE);
}

/*
 * Named ring operations, one per index operation, in the style of virtio's
 * virtqueue.h. They work on any netif ring type (TX or RX, front or back:
 * the generated ring structures share their field names). Each reads the
 * peer's producer once per burst and says which barrier it owns.
 */

/*
 * Frontend: the backend's response producer, read once per burst. Acquire:
 * the responses it covers are read after it. Returns false, leaving *prod
 * set for the log, if it claims more responses than requests we made (a
 * lie that would make us read slots the backend never wrote).
 */
#define xenpv_front_rsp_prod(r, prod) __extension__ ({			\
	*(prod) = xenpv_load_acquire(&(r)->sring->rsp_prod);		\
	(RING_IDX)(*(prod) - (r)->rsp_cons) <=				\
		(RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons);		\
})

/*
 * Backend: the frontend's request producer, read once per burst. Acquire:
 * the requests it covers are read (and copied out) after it. Returns false
 * if it runs more than a ring's length ahead of what we answered
 * (RING_REQUEST_PROD_OVERFLOW: the frontend overwrote unanswered slots).
 */
#define xenpv_back_req_prod(r, prod) __extension__ ({			\
	*(prod) = xenpv_load_acquire(&(r)->sring->req_prod);		\
	!RING_REQUEST_PROD_OVERFLOW(r, *(prod));			\
})

/*
 * Publishing, once per burst: Xen's own RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
 * (frontend) and RING_PUSH_RESPONSES_AND_CHECK_NOTIFY (backend). With the
 * barriers above they expand to: release fence (the slots before the
 * index), producer store, full fence (the store before the load of the
 * peer's event index), and the notify decision: kick only if the peer
 * asked to be woken for an index we just passed.
 */
#define xenpv_front_push(r, notify) RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify)
#define xenpv_back_push(r, notify) RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify)

#endif /* XENPV_RING_H */
