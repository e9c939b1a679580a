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
#include <stdlib.h>
#include <string.h>

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

/* The application's side, the same in both harnesses. */
struct fuzz_xb_app {
	struct rte_mempool *big;	/* mbufs of RTE_MBUF_DEFAULT_BUF_SIZE */
	struct rte_mempool *small;	/* mbufs of the harness's small room */
	/*
	 * FUZZ_DEBUG set: an input's packets, responses and mbufs are
	 * printed before its checks (to read a reproducer).
	 */
	bool debug;
};

extern struct fuzz_xb_dom0 fuzz_xb_dom0;
extern struct fuzz_xb_guest fuzz_xb_guest;
extern struct fuzz_xb_app fuzz_xb_app;

/*
 * Start the EAL (argv0 as the program name), make a temporary xenemu
 * state directory with dom0 and the guest (removed at exit), open dom0's
 * handles, share the guest's pages and bind the event channel; then the
 * application's pools, which fuzz_xenback_check_pools checks: @nb_big
 * mbufs of RTE_MBUF_DEFAULT_BUF_SIZE and @nb_small of @small_room bytes
 * of data room. Aborts on failure.
 */
void fuzz_xenback_init(char *argv0, unsigned int nb_big,
		       unsigned int nb_small, uint16_t small_room);

/* After an input: every mbuf is back in the pool it came from, or abort. */
void fuzz_xenback_check_pools(void);

/* A zeroed page for a shared ring (never freed). Aborts on failure. */
void *fuzz_xenback_ring_page(void);

/*
 * Back ring @r (of shared ring type @stype) on a new ring page, stored in
 * @mem, as xenback_queue_connect sets it up.
 */
#define FUZZ_XB_RING_INIT(r, stype, mem) do {				\
	(mem) = fuzz_xenback_ring_page();				\
	SHARED_RING_INIT((stype *)(mem));				\
	BACK_RING_INIT(r, (stype *)(mem), FUZZ_XB_RING_PAGE);		\
} while (0)

/*
 * The handles of a queue @q (struct xenback_txq or xenback_rxq) as
 * xenback_queue_connect sets them: dom0's, its event channel to the
 * guest. Owed kicks go out at once: TSC-timed ones would make a run
 * nondeterministic.
 */
#define FUZZ_XB_QUEUE_HANDLES(q) do {					\
	(q)->xgt = fuzz_xb_dom0.xgt;					\
	(q)->xce = fuzz_xb_dom0.xce;					\
	(q)->evtchn = fuzz_xb_dom0.port;				\
	(q)->kick.xce = fuzz_xb_dom0.xce;				\
	(q)->kick.port = fuzz_xb_dom0.port;				\
	(q)->kick.gap = 0;						\
	(q)->fe_domid = FUZZ_XB_GUEST;					\
} while (0)

/*
 * A fresh connection of queue @q (its counters zeroed, not broken) on its
 * back ring over the shared page @sring, as BACK_RING_ATTACH makes it, at
 * the index of the input's @data bytes 4-7 (q->ring.req_cons after), the
 * guest asking for a kick at the first request and at the response
 * data[3] slots on.
 */
#define FUZZ_XB_FRESH_RING(q, sring, data) do {			\
	RING_IDX start_ = fuzz_le32((data) + 4);			\
									\
	memset(&(q)->st, 0, sizeof((q)->st));				\
	xenpv_viol_clear(&(q)->viol);					\
	memset(sring, 0, FUZZ_XB_RING_PAGE);				\
	(sring)->req_prod = start_;					\
	(sring)->rsp_prod = start_;					\
	(sring)->req_event = start_ + 1;				\
	(sring)->rsp_event = start_ + (data)[3];			\
	BACK_RING_ATTACH(&(q)->ring, sring, start_, FUZZ_XB_RING_PAGE);	\
} while (0)

/*
 * How many ring slots an input fills: its byte @n, at most the ring's
 * @ring_size and the @fit slots the rest of the input holds.
 */
static inline uint32_t
fuzz_xenback_nslots(uint8_t n, uint32_t ring_size, size_t fit)
{
	uint32_t r = n;

	if (r > ring_size)
		r = ring_size;
	if (r > fit)
		r = (uint32_t)fit;
	return r;
}

/*
 * The request producer a hostile guest publishes after its first bursts,
 * when it wrote @n requests from @start and claims @extra more: beyond the slots
 * written, the ring's producer overflow check, so when @n + @extra exceed
 * the ring (*@overflow) always more than a ring of @ring_size ahead of
 * @cons, the backend's consumer (slots the backend has answered hold its
 * responses, not the input's requests).
 */
static inline RING_IDX
fuzz_xenback_prod(RING_IDX start, uint32_t n, uint32_t extra, RING_IDX cons,
		  uint32_t ring_size, bool *overflow)
{
	*overflow = n + extra > ring_size;
	if (*overflow)
		return cons + ring_size + 1 + (extra & 0x3f);
	return start + n + extra;
}

/*
 * The responses on back ring @r since @start, as a frontend reads them:
 * the response producer (acquire), which is the value; with FUZZ_DEBUG,
 * the harness's @dump(start, prod, mask) first; then every request the
 * backend consumed is answered, nothing else, at most a ring of them, or
 * abort.
 */
#define FUZZ_XB_RESPONSES(r, start, dump) __extension__ ({		\
	RING_IDX prod_ = __atomic_load_n(&(r)->sring->rsp_prod,	\
					 __ATOMIC_ACQUIRE);		\
									\
	if (fuzz_xb_app.debug)						\
		dump(start, prod_, RING_SIZE(r) - 1);			\
	if (prod_ != (r)->req_cons || prod_ != (r)->rsp_prod_pvt ||	\
	    prod_ - (start) > RING_SIZE(r))				\
		abort();						\
	prod_;								\
})

/*
 * After the bursts: a producer beyond a ring of requests (@overflow) is a
 * violation (@viol set) and nothing more is taken (the consumer still at
 * @cons, where it was before that producer), or abort.
 */
static inline void
fuzz_xenback_check_overflow(bool overflow, RING_IDX cons, RING_IDX req_cons,
			    const struct xenpv_viol *viol)
{
	if (overflow && (req_cons != cons || !xenpv_viol_is_set(viol)))
		abort();
}

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
