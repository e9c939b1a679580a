/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Persistent grants (devarg persistent_grants=1, our own key
 * XENPV_NETIF_FEATURE_PGNT, xenpv_netif.h): when the frontend promised to
 * name at most XENPV_NETIF_PGNT_MAX(ring slots) grant refs on a ring, each
 * granted for the whole connection, a ring's burst maps each ref the first
 * time a request names it, keeps the mapping in the ring's table until the
 * connection ends, and copies with memcpy() instead of one grant-copy call
 * per burst (a hypercall on Xen).
 *
 * The burst plans its grant-copy segments exactly as without the feature
 * (every offset and length already checked against the page); this file
 * only executes them. What the guest can still do wrong here: name one ref
 * too many (XENPV_VIOL_PGNT_BOUND), or a ref we cannot map, or not with the
 * access the ring needs (XENPV_VIOL_PGNT_MAP: its TX grants are mapped
 * read-only, its RX buffers writable). Either is the ring's violation: the
 * segment and every later one of the burst fail (their packets are answered
 * with errors or dropped) and the control path closes the vif.
 *
 * The table belongs to the ring: used by the burst that holds the ring
 * (inside its guard, under the ring's lock when it has several senders),
 * created and destroyed by the control path with the guard closed. Its
 * memory is the process's own (calloc): mappings are per process, as the
 * ring mappings are.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "xenback_dp.h"

/*
 * Fibonacci hashing of a 32-bit grant ref onto 2^bits entries. (Homing a
 * ref by its low bits, which keeps a guest's mostly consecutive refs in
 * consecutive entries, measured a fifth slower backend -> guest at 64 B:
 * bench/run.sh, A/B.) A guest choosing colliding refs only lengthens the
 * probes of its own ring's table, which is at most half full.
 */
static inline uint32_t
xenback_pgnt_hash(const struct xenback_pgnt *pg, uint32_t ref)
{
	return (ref * 2654435769u) >> (32 - pg->bits);
}

int
xenback_pgnt_create(struct xenback_pgnt **pgp, xengnttab_handle *xgt,
		    uint16_t domid, unsigned int slots, bool writable)
{
	struct xenback_pgnt *pg;
	uint32_t max = XENPV_NETIF_PGNT_MAX(slots);
	unsigned int bits = 1;

	/* at most half full, so a probe always ends on an empty entry */
	while ((1u << bits) < 2 * max)
		bits++;
	pg = calloc(1, sizeof(*pg));
	if (pg == NULL)
		return -ENOMEM;
	pg->bits = bits;
	pg->max = max;
	pg->ent = calloc(1u << bits, sizeof(*pg->ent));
	if (pg->ent == NULL) {
		free(pg);
		return -ENOMEM;
	}
	pg->xgt = xgt;
	pg->domid = domid;
	pg->prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
	*pgp = pg;
	return 0;
}

unsigned int
xenback_pgnt_destroy(struct xenback_pgnt **pgp)
{
	struct xenback_pgnt *pg = *pgp;
	unsigned int i, n = 0;

	if (pg == NULL)
		return 0;
	for (i = 0; i < (1u << pg->bits); i++) {
		if (pg->ent[i].va == NULL)
			continue;
		xengnttab_unmap(pg->xgt, pg->ent[i].va, 1);
		n++;
	}
	free(pg->ent);
	free(pg);
	*pgp = NULL;
	return n;
}

/*
 * Map @ref into its empty entry @i (the probe for it ended there): the
 * first time a request names it. NULL on a violation (recorded in @viol).
 */
static __rte_noinline uint8_t *
xenback_pgnt_add(struct xenback_pgnt *pg, uint32_t i, uint32_t ref,
		 struct xenpv_viol *viol, uint64_t *maps)
{
	uint8_t *va;

	if (pg->n == pg->max) {
		xenpv_viol_set(viol, XENPV_VIOL_PGNT_BOUND, ref, pg->max);
		return NULL;
	}
	va = xengnttab_map_grant_ref(pg->xgt, pg->domid, ref, pg->prot);
	if (va == NULL) {
		xenpv_viol_set(viol, XENPV_VIOL_PGNT_MAP, ref,
			       (pg->prot & PROT_WRITE) != 0);
		return NULL;
	}
	pg->ent[i].ref = ref;
	pg->ent[i].va = va;
	pg->n++;
	(*maps)++;
	return va;
}

/* xenback_pgnt_page, inlined in the copy loop */
static __rte_always_inline uint8_t *
xenback_pgnt_lookup(struct xenback_pgnt *pg, uint32_t ref,
		    struct xenpv_viol *viol, uint64_t *maps)
{
	uint32_t mask = (1u << pg->bits) - 1;
	uint32_t i = xenback_pgnt_hash(pg, ref);

	for (; pg->ent[i].va != NULL; i = (i + 1) & mask)
		if (pg->ent[i].ref == ref)
			return pg->ent[i].va;
	return xenback_pgnt_add(pg, i, ref, viol, maps);
}

/*
 * Our mapping of the guest's @ref: found in the table, or mapped now and
 * added. NULL on a violation (recorded in @viol). The burst's copies use
 * it, and rx_zero_copy (xenback_zc.c) attaches the page it returns.
 */
uint8_t *
xenback_pgnt_page(struct xenback_pgnt *pg, uint32_t ref,
		 struct xenpv_viol *viol, uint64_t *maps)
{
	return xenback_pgnt_lookup(pg, ref, viol, maps);
}

/*
 * Segments are resolved and copied in groups: first every page of the
 * group is looked up and, from the guest, the data prefetched (the guest's
 * CPU wrote those lines: each is a miss from another core, and issuing
 * them together overlaps them), then the copies run (short ones inline:
 * xenpv_copy). The lines we are about to write into the guest are not
 * prefetched: taken early for writing, they are taken from the guest's
 * core while it still reads around them, which made backend -> guest
 * 64 B frames a third slower (bench/run.sh, A/B against the build
 * without).
 */
#define XENBACK_PGNT_GROUP	16

void
xenback_pgnt_copy(struct xenback_pgnt *pg,
		  xengnttab_grant_copy_segment_t *segs, unsigned int nseg,
		  bool to_guest, struct xenpv_viol *viol, uint64_t *maps,
		  uint64_t *mapped)
{
	uint8_t *gva[XENBACK_PGNT_GROUP];
	xengnttab_grant_copy_segment_t *s;
	const union xengnttab_copy_ptr *g;
	unsigned int i = 0, j, k, n;
	uint8_t *page;

	while (i < nseg) {
		n = RTE_MIN(nseg - i, (unsigned int)XENBACK_PGNT_GROUP);
		for (j = 0; j < n; j++) {
			s = &segs[i + j];
			g = to_guest ? &s->dest : &s->source;
			/* planned within the page; checked again, it costs nothing */
			if (unlikely((uint32_t)g->foreign.offset + s->len >
				     XENPV_PAGE_SIZE))
				break;
			page = xenback_pgnt_lookup(pg, g->foreign.ref, viol,
						   maps);
			if (unlikely(page == NULL))
				break;
			gva[j] = page + g->foreign.offset;
			if (!to_guest)
				rte_prefetch0(gva[j]);
		}
		/* the segments resolved (all of the group but on a violation) */
		for (k = 0; k < j; k++) {
			s = &segs[i + k];
			if (to_guest)
				xenpv_copy(gva[k], s->source.virt, s->len);
			else
				xenpv_copy(s->dest.virt, gva[k], s->len);
			s->status = GNTST_okay;
		}
		i += j;
		if (unlikely(j < n))
			break;
	}
	/*
	 * after a violation, the rest of the burst fails, as a failed
	 * grant-copy call does
	 */
	for (; i < nseg; i++)
		segs[i].status = GNTST_general_error;
	*mapped = pg->n;
}
