/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_ring: ring page grants and mappings, xenstore places of a queue, and
 * event channels for the test peers.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "tl_log.h"
#include "tl_ring.h"
#include "tl_xs.h"

/* netif names a thing alone plainly, one of several by index. */
static void
tl_indexed(char *buf, size_t n, const char *base, const char *infix,
	   bool indexed, unsigned int i)
{
	if (indexed)
		tl_path(buf, n, "%s%s%u", base, infix, i);
	else
		tl_path(buf, n, "%s", base);
}

void
tl_ring_ref_key(char *buf, size_t n, const char *name, unsigned int order,
		unsigned int i)
{
	char base[32];

	tl_path(base, sizeof(base), "%s-ring-ref", name);
	tl_indexed(buf, n, base, "", order != 0, i);
}

void
tl_queue_dir(char *buf, size_t n, const char *vif_dir, unsigned int nq,
	     unsigned int q)
{
	tl_indexed(buf, n, vif_dir, "/queue-", nq != 1, q);
}

void *
tl_share_pages(xengntshr_handle *xgs, unsigned int domid, unsigned int n,
	       uint32_t *refs)
{
	void *va = xengntshr_share_pages(xgs, domid, (int)n, refs, 1);

	if (va == NULL)
		tl_fail("sharing %u pages: %s", n, strerror(errno));
	/* a fresh ring must read as empty: both indexes 0 */
	memset(va, 0, (size_t)n * TL_PAGE);
	return va;
}

void *
tl_map_pages(xengnttab_handle *xgt, unsigned int domid, unsigned int n,
	     uint32_t *refs)
{
	return xengnttab_map_domain_grant_refs(xgt, n, domid, refs,
					       PROT_READ | PROT_WRITE);
}

evtchn_port_t
tl_evtchn_alloc(xenevtchn_handle *xce, unsigned int domid)
{
	xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(xce, domid);

	if (p < 0)
		tl_fail("allocating an event channel: %s", strerror(errno));
	return (evtchn_port_t)p;
}

xenevtchn_port_or_error_t
tl_evtchn_bind(xenevtchn_handle *xce, unsigned int domid,
	       evtchn_port_t remote)
{
	return xenevtchn_bind_interdomain(xce, domid, remote);
}

int
tl_evtchn_drain(xenevtchn_handle *xce, int timeout_ms,
		void (*fn)(evtchn_port_t port, void *arg), void *arg)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	int n = 0;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	for (;;) {
		xenevtchn_port_or_error_t port = xenevtchn_pending(xce);

		if (port < 0)
			break;
		fn((evtchn_port_t)port, arg);
		n++;
		xenevtchn_unmask(xce, (evtchn_port_t)port);
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) <= 0)
			break;
	}
	return n;
}
