/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The fixture of the net_xenback harnesses: see fuzz_xenback.h. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

/* first: xenpv.h pins the Xen interface version for every xen/ header */
#include "fuzz_xenback.h"
#include "fuzz_xenemu.h"

#include <xenemu_core.h>
#include <xenemu_internal.h>

/* xenback_ethdev.c's, which the harnesses do not link */
int xenback_logtype;

struct fuzz_xb_dom0 fuzz_xb_dom0;
struct fuzz_xb_guest fuzz_xb_guest;
struct fuzz_xb_app fuzz_xb_app;

/* the guest's handles: kept open for the life of the process */
static struct xenemu_ctx guest_shr, guest_evt;
/* fuzz_xenback_page_of: refs[i] == first_ref + i when they are contiguous */
static uint32_t first_ref;
static bool refs_contiguous;
/* the pools fuzz_xenback_pool made, with their sizes */
static struct {
	struct rte_mempool *mp;
	unsigned int nb_mbufs;
} pools[4];
static unsigned int nb_pools;

static void
die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_xenback: %s: %d\n", what, rc);
	abort();
}

/* A pool of @nb_mbufs mbufs of @room bytes of data room (checked). */
static struct rte_mempool *
fuzz_xenback_pool(const char *name, unsigned int nb_mbufs, uint16_t room)
{
	struct rte_mempool *mp;

	if (nb_pools == RTE_DIM(pools))
		die("too many pools", (int)nb_pools);
	mp = rte_pktmbuf_pool_create(name, nb_mbufs, 0, 0, room,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		die("rte_pktmbuf_pool_create", rte_errno);
	pools[nb_pools].mp = mp;
	pools[nb_pools].nb_mbufs = nb_mbufs;
	nb_pools++;
	return mp;
}

void
fuzz_xenback_init(char *argv0, unsigned int nb_big, unsigned int nb_small,
		  uint16_t small_room)
{
	char *eal[] = { argv0, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=lib.eal:error",
		NULL };
	const char *state_dir;
	uint32_t nrw = FUZZ_XB_NR_PAGES - FUZZ_XB_NR_RO, i;
	void *rw, *ro;
	int rc, remote;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		die("rte_eal_init", rte_errno);

	/* xenemu: a state directory of our own, dom0 and the guest; we are dom0 */
	state_dir = fuzz_xenemu_start(FUZZ_XB_GUEST, 0);

	/* the guest's pages, granted to dom0 */
	rc = xenemu_ctx_open_dom(&guest_shr, state_dir, FUZZ_XB_GUEST,
				 XENEMU_SLOT_GNTSHR, true);
	if (rc != 0)
		die("guest gntshr", rc);
	rc = xenemu_shr_share(&guest_shr, 0, nrw, fuzz_xb_guest.refs, true,
			      UINT32_MAX, UINT32_MAX, &rw);
	if (rc == 0)
		rc = xenemu_shr_share(&guest_shr, 0, FUZZ_XB_NR_RO,
				      fuzz_xb_guest.refs + nrw, false,
				      UINT32_MAX, UINT32_MAX, &ro);
	if (rc != 0)
		die("xenemu_shr_share", rc);
	first_ref = fuzz_xb_guest.refs[0];
	refs_contiguous = true;
	for (i = 0; i < FUZZ_XB_NR_PAGES; i++) {
		fuzz_xb_guest.page[i] = i < nrw ?
			(uint8_t *)rw + (size_t)i * XENPV_PAGE_SIZE :
			(uint8_t *)ro + (size_t)(i - nrw) * XENPV_PAGE_SIZE;
		if (fuzz_xb_guest.refs[i] != first_ref + i)
			refs_contiguous = false;
	}

	/* dom0: the handles a connected port holds, through libxengnttab */
	fuzz_xb_dom0.xgt = xengnttab_open(NULL, 0);
	fuzz_xb_dom0.xce = xenevtchn_open(NULL, 0);
	if (fuzz_xb_dom0.xgt == NULL || fuzz_xb_dom0.xce == NULL)
		die("dom0 handles", -errno);

	/* the event channel: the guest offers a port, dom0 binds it */
	rc = xenemu_ctx_open_dom(&guest_evt, state_dir, FUZZ_XB_GUEST,
				 XENEMU_SLOT_EVTCHN, true);
	if (rc != 0)
		die("guest evtchn", rc);
	remote = xenemu_evt_bind_unbound(&guest_evt, 0);
	if (remote < 0)
		die("xenemu_evt_bind_unbound", remote);
	rc = xenevtchn_bind_interdomain(fuzz_xb_dom0.xce, FUZZ_XB_GUEST,
					(evtchn_port_t)remote);
	if (rc < 0)
		die("xenevtchn_bind_interdomain", -errno);
	fuzz_xb_dom0.port = (evtchn_port_t)rc;

	/* the application */
	fuzz_xb_app.big = fuzz_xenback_pool("fuzz_big", nb_big,
					    RTE_MBUF_DEFAULT_BUF_SIZE);
	fuzz_xb_app.small = fuzz_xenback_pool("fuzz_small", nb_small,
					      small_room);
	fuzz_xb_app.debug = getenv("FUZZ_DEBUG") != NULL;
}

void *
fuzz_xenback_ring_page(void)
{
	void *p = aligned_alloc(FUZZ_XB_RING_PAGE, FUZZ_XB_RING_PAGE);

	if (p == NULL)
		die("aligned_alloc", ENOMEM);
	memset(p, 0, FUZZ_XB_RING_PAGE);
	return p;
}

void
fuzz_xenback_check_pools(void)
{
	unsigned int i;

	for (i = 0; i < nb_pools; i++)
		if (rte_mempool_avail_count(pools[i].mp) != pools[i].nb_mbufs)
			abort();
}

int
fuzz_xenback_page_of(uint32_t gref)
{
	unsigned int i;

	if (refs_contiguous)
		return gref - first_ref < FUZZ_XB_NR_PAGES ?
			(int)(gref - first_ref) : -1;
	for (i = 0; i < FUZZ_XB_NR_PAGES; i++)
		if (fuzz_xb_guest.refs[i] == gref)
			return (int)i;
	return -1;
}

void
fuzz_xenback_fill(uint8_t *dst, size_t len, const uint8_t *src,
		  size_t src_len, size_t pos)
{
	size_t n, done;

	if (src_len == 0) {
		memset(dst, 0, len);
		return;
	}
	/* one period of the pattern, then it doubles */
	pos %= src_len;
	n = RTE_MIN(len, src_len - pos);
	memcpy(dst, src + pos, n);
	if (n < len && n < src_len) {
		done = RTE_MIN(len - n, pos);
		memcpy(dst + n, src, done);
		n += done;
	}
	for (done = n; done < len; done += n) {
		n = RTE_MIN(done, len - done);
		memcpy(dst + done, dst, n);
	}
}
