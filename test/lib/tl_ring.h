/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_ring: what a test frontend and a test backend do alike with a netif
 * queue's rings and event channels: where the ring references and a
 * queue's keys live in xenstore, granting (frontend) or mapping (backend)
 * 2^order ring pages, binding the two ends of an event channel, pushing
 * with notification, and draining pending events.
 *
 * Xen's ring.h is not included here: each peer pins its own barriers
 * before it, and the push macros below expand in the peer's code.
 */

#ifndef TL_RING_H
#define TL_RING_H

#include <stddef.h>
#include <stdint.h>

#include <xengnttab.h>
#include <xenevtchn.h>

#define TL_PAGE 4096u

/*
 * The key of ring page @i of ring @name ("tx" or "rx"): "tx-ring-ref" for
 * one page (order 0), "tx-ring-ref<i>" with ring-page-order.
 */
void tl_ring_ref_key(char *buf, size_t n, const char *name,
		     unsigned int order, unsigned int i);

/* A queue's xenstore directory: the vif's own with one queue. */
void tl_queue_dir(char *buf, size_t n, const char *vif_dir, unsigned int nq,
		  unsigned int q);

/* Frontend: grant @n zeroed pages to @domid; their references in @refs. */
void *tl_share_pages(xengntshr_handle *xgs, unsigned int domid,
		     unsigned int n, uint32_t *refs);

/* Backend: map @n pages @domid granted (NULL, errno set, on failure). */
void *tl_map_pages(xengnttab_handle *xgt, unsigned int domid, unsigned int n,
		   uint32_t *refs);

/* Frontend: a new unbound port for @domid to bind. */
evtchn_port_t tl_evtchn_alloc(xenevtchn_handle *xce, unsigned int domid);

/* Backend: bind to @domid's port @remote; -1 (errno set) on failure. */
xenevtchn_port_or_error_t tl_evtchn_bind(xenevtchn_handle *xce,
					 unsigned int domid,
					 evtchn_port_t remote);

/*
 * Wait up to @timeout_ms for a notification, then take every pending one:
 * @fn(port, @arg) for each, and unmask it so the next one comes. Returns
 * how many were taken, or -1 if none came in time.
 */
int tl_evtchn_drain(xenevtchn_handle *xce, int timeout_ms,
		    void (*fn)(evtchn_port_t port, void *arg), void *arg);

/*
 * Publish the private REQUESTS or RESPONSES of @ring and kick @port if the
 * other end asked for it (its req_event / rsp_event crossed).
 */
#define TL_PUSH(what, ring, xce, port) do {				\
	int notify_;							\
									\
	RING_PUSH_##what##_AND_CHECK_NOTIFY(ring, notify_);		\
	if (notify_)							\
		xenevtchn_notify(xce, port);				\
} while (0)

#endif /* TL_RING_H */
