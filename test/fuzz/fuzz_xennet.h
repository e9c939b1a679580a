/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The fixture both net_xennet harnesses (fuzz_xennet_rx.c, fuzz_xennet_tx.c)
 * stand on: an EAL without hugepages, an mbuf pool, one shared ring page and
 * a queue's data pages in plain memory (no grants: the bursts only read and
 * write the pages), and the hostile backend's side of a ring: responses
 * copied from the input and a producer published with release.
 */

#ifndef FUZZ_XENNET_H
#define FUZZ_XENNET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mempool.h>

#include "xennet.h"

/* Size of the one shared ring page (order 0). */
#define FUZZ_RING_PAGE 4096

/*
 * Start the EAL (argv0 as the program name) and make the pool of @nb_mbufs
 * mbufs of @buf_size bytes each. Aborts on failure.
 */
struct rte_mempool *fuzz_xennet_eal(char *argv0, unsigned int nb_mbufs,
				    uint16_t buf_size);

/*
 * Allocate a queue's memory for a ring of @n slots: the shared ring page
 * (returned), @n slot records of @slot_size bytes (zeroed, in *@slots) and
 * @n data pages described by @pages as one chunk. Aborts on failure.
 */
void *fuzz_xennet_queue_mem(uint32_t n, size_t slot_size, void **slots,
			    struct xennet_pages *pages);

/*
 * A fresh connection on front ring @r over the shared page @sring, as
 * xennet_queue_connect makes it; the backend never asks for a kick (there
 * is no event channel here).
 */
#define FUZZ_XENNET_FRESH_RING(r, sring) do {				\
	memset(sring, 0, FUZZ_RING_PAGE);				\
	SHARED_RING_INIT(sring);					\
	FRONT_RING_INIT(r, sring, FUZZ_RING_PAGE);			\
	(sring)->req_event = 0;						\
} while (0)

/*
 * The backend writes @n responses on @r (a netif front ring) from
 * rsp_cons on, copied from @src; publishing them is the caller's (a
 * producer may announce fewer or more). @n must not exceed the ring's size.
 */
#define FUZZ_XENNET_WRITE_RSPS(r, src, n) do {				\
	RING_IDX cons_ = (r)->rsp_cons;					\
	uint32_t i_;							\
									\
	for (i_ = 0; i_ < (n); i_++)					\
		memcpy(RING_GET_RESPONSE(r, cons_ + i_),		\
		       (src) + i_ * sizeof(*RING_GET_RESPONSE(r, 0)),	\
		       sizeof(*RING_GET_RESPONSE(r, 0)));		\
} while (0)

/*
 * The owed-kick path (xenpv_kick: devarg notify_gap_us, hostile review
 * D8). The fixture binds, once, a real event channel between this process
 * (domain 1, the guest) and dom0 in a xenemu of its own (fuzz_xenemu.h),
 * so that the queues' kicks go out through xenemu's libxenevtchn.
 *
 * A harness arms each ring's kick with a gap from the input, lets the
 * backend set req_event before each burst (FUZZ_XENNET_REQ_EVENT) and
 * notes, from the producer before and after each burst, whether the ring
 * macros asked for a kick (fuzz_kick_after); then checks what the kick
 * counters say against that:
 *   every ask is counted once as sent, owed (held) or failed: sent + held
 *   + errors >= asks, and sent + errors <= asks (a flush sends only what
 *   was owed);
 *   with no gap nothing is ever owed;
 *   a kick owed is counted as held;
 * and at the end (fuzz_kick_end), once the gap is over and the bursts and
 * the control thread's flush ran: nothing is owed any more, and a kick was
 * sent after the last ask that was held. With a gap longer than the input
 * lasts, the owed kick must still be recorded.
 */
struct fuzz_kick {
	struct xenpv_kick *k;
	uint64_t *sent, *held, *errors;	/* the queue's counters */
	uint64_t asked;			/* pushes the macros asked a kick for */
	RING_IDX prod_before;		/* req_prod before the burst */
	uint64_t sent_before, held_before, errors_before;
	uint32_t owed_before;
	uint64_t owe_mark;		/* *sent after the last held ask */
	bool owing;			/* an ask was held since then */
};

/* The gaps an input picks from (2 bits), in microseconds. */
#define FUZZ_XENNET_GAPS { 0, 5, 50, 65535 }

/* Arm @fk on kick @k of a queue with counters @sent, @held, @errors. */
void fuzz_kick_arm(struct fuzz_kick *fk, struct xenpv_kick *k,
		   unsigned int gap_us, uint64_t *sent, uint64_t *held,
		   uint64_t *errors);

/*
 * The backend's req_event on shared ring @s before a burst, from input
 * byte @v: bit 7 set, behind our producer by 1 + (v & 0x7f) (never asks);
 * else req_prod + (v & 0x7f) (0: never asks; 1: asks at every push).
 */
#define FUZZ_XENNET_REQ_EVENT(s, v) do {					RING_IDX p_ = __atomic_load_n(&(s)->req_prod, __ATOMIC_ACQUIRE); 										__atomic_store_n(&(s)->req_event, ((v) & 0x80) ?					 p_ - 1 - ((v) & 0x7f) : p_ + ((v) & 0x7f),				 __ATOMIC_RELEASE);				} while (0)

/* Before a burst on a ring whose producer is now @prod. */
static inline void
fuzz_kick_before(struct fuzz_kick *fk, RING_IDX prod)
{
	fk->prod_before = prod;
	fk->sent_before = *fk->sent;
	fk->held_before = *fk->held;
	fk->errors_before = *fk->errors;
	fk->owed_before = __atomic_load_n(&fk->k->owed, __ATOMIC_RELAXED);
}

/*
 * After that burst: producer @prod, the backend's @req_event. Checks the
 * burst's own counts too: without an ask it owes, fails and sends nothing,
 * bar the kick owed before it; with one, exactly one of the three, plus
 * that owed kick.
 */
void fuzz_kick_after(struct fuzz_kick *fk, RING_IDX prod, RING_IDX req_event);

/* An ask made outside a ring burst (the RX harness's TX ring). */
void fuzz_kick_ask(struct fuzz_kick *fk);

/* Busy-wait until the kick's gap is over, if it is short. */
bool fuzz_kick_wait_gap(struct fuzz_kick *fk);

/*
 * The end of an input: @gap_over says whether fuzz_kick_wait_gap waited
 * and a flush ran since. Checks as said above.
 */
void fuzz_kick_end(struct fuzz_kick *fk, bool gap_over);

/* The control thread's round for one ring (xennet_flush_kicks). */
static inline void
fuzz_kick_ctl_flush(struct fuzz_kick *fk)
{
	xenpv_kick_flush(fk->k, false, fk->sent);
}

#endif /* FUZZ_XENNET_H */
