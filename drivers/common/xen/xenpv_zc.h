/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What both drivers' zero-copy does alike (net_xennet's RX page pools,
 * xennet_zc.c; net_xenback's held guest TX packets, xenback_zc.c): an
 * owner of objects lent to the application through mbufs' external
 * buffers, referenced once by its queue and once per object lent, whose
 * rte_mbuf_ext_shared_info free callback (on whatever lcore frees the last
 * mbuf) hands the object's index back through an MP-safe ring to the one
 * burst that owns the queue, then drops the object's reference. The last
 * reference destroys the owner: nothing of it outlives its last user.
 */

#ifndef XENPV_ZC_H
#define XENPV_ZC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_debug.h>
#include <rte_ring.h>

/*
 * Drop one reference of @refs; true if it was the last (the caller then
 * destroys the owner). Release: our use of the owner (an enqueue on its
 * ring) happens before the destroyer's; acquire: the destroyer sees all.
 */
static inline bool
xenpv_zc_unref(uint32_t *refs)
{
	return __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL) == 0;
}

/*
 * The free callback's work: object @idx back to its burst through @back
 * (as large as the objects lent, so the enqueue cannot fail), then its
 * reference on the owner dropped; true if that was the last.
 */
static inline bool
xenpv_zc_give_back(struct rte_ring *back, uint32_t idx, uint32_t *refs)
{
	RTE_VERIFY(rte_ring_mp_enqueue(back, (void *)(uintptr_t)idx) == 0);
	return xenpv_zc_unref(refs);
}

/*
 * An owner's hand-back ring for @n objects on @socket (multi-producer, the
 * burst's single consumer), named @prefix + pid + a sequence number;
 * NULL if it cannot be made.
 */
struct rte_ring *xenpv_zc_ring_create(const char *prefix, unsigned int n,
				      int socket);

#endif /* XENPV_ZC_H */
