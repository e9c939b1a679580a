/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The fixture both net_xenback harnesses (fuzz_xenback_tx.c,
 * fuzz_xenback_rx.c) stand on: an EAL without hugepages and its mbuf
 * pools; xenemu's grant tables and event channels used in-process (the
 * core library and xenemu/lib's libxengnttab/libxenevtchn compiled into
 * the harness, no xenstored): dom0, whose handles the driver's grant copies
 * and kicks go through, and a guest domain that shares FUZZ_XB_NR_PAGES
 * pages with dom0 (the last FUZZ_XB_NR_RO of them read-only) and has an
 * interdomain event channel to it. The shared ring page is plain memory:
 * the bursts only read and write it.
 */

#ifndef FUZZ_XENBACK_H
#define FUZZ_XENBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "xenback.h"

/* Size of the one shared ring page (order 0). */
#define FUZZ_XB_RING_PAGE 4096

/* The guest's granted pages: enough for a full order-0 ring. */
#define FUZZ_XB_NR_PAGES 256
/* the last ones are granted read-only */
#define FUZZ_XB_NR_RO 8

/* The guest's domain id. */
#define FUZZ_XB_GUEST 1

/* dom0's side: what a connected port holds (xenback_xenbus.c). */
struct fuzz_xb_dom0 {
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	evtchn_port_t port;		/* dom0's end of the event channel */
};

/* The guest's side. */
struct fuzz_xb_guest {
	uint32_t refs[FUZZ_XB_NR_PAGES];	/* grant refs of its pages */
	uint8_t *page[FUZZ_XB_NR_PAGES];	/* the pages, as it sees them */
};

extern struct fuzz_xb_dom0 fuzz_xb_dom0;
extern struct fuzz_xb_guest fuzz_xb_guest;

/*
 * Start the EAL (argv0 as the program name), make a temporary xenemu
 * state directory with dom0 and the guest (removed at exit), open dom0's
 * handles, share the guest's pages and bind the event channel. Aborts on
 * failure.
 */
void fuzz_xenback_init(char *argv0);

/* A pool of @nb_mbufs mbufs of @room bytes of data room. Aborts on failure. */
struct rte_mempool *fuzz_xenback_pool(const char *name, unsigned int nb_mbufs,
				      uint16_t room);

/*
 * The gref a hostile guest writes for the input's value @v: values below
 * FUZZ_XB_NR_PAGES name the guest's own grants (so inputs reach real
 * copies), any other value goes out as is (a ref it never granted, or
 * beyond its grant table).
 */
static inline uint32_t
fuzz_xenback_gref(uint32_t v)
{
	return v < FUZZ_XB_NR_PAGES ? fuzz_xb_guest.refs[v] : v;
}

/* The guest page behind @gref, or -1 if it is not one of its grants. */
int fuzz_xenback_page_of(uint32_t gref);

/*
 * Fill @len bytes at @dst with @src (@src_len bytes) repeated, from its
 * byte @pos on (zeros if @src_len is 0).
 */
void fuzz_xenback_fill(uint8_t *dst, size_t len, const uint8_t *src,
		       size_t src_len, size_t pos);

/* Little-endian reads from the input. */
static inline uint32_t
fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint16_t
fuzz_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

#endif /* FUZZ_XENBACK_H */
