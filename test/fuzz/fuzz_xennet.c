/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* The fixture of the net_xennet harnesses: see fuzz_xennet.h. */

#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "fuzz_xennet.h"
#include "fuzz_xenemu.h"

#include <xenemu_core.h>
#include <xenemu_internal.h>

/* The guest's domain id in the fixture's xenemu: us. */
#define FUZZ_XENNET_DOMID 1

/* The queues' event channel (fuzz_kick_arm), bound once. */
static xenevtchn_handle *kick_xce;
static evtchn_port_t kick_port;
static struct xenemu_ctx dom0_evt;	/* the backend's end, never read */

static void
die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_xennet: %s: %d\n", what, rc);
	abort();
}

/*
 * Our end of an event channel to dom0, as xennet_queue_connect binds one;
 * dom0 binds the other end, as a backend does. Kicks mark it pending at
 * dom0, which never reads it: a pending port takes no more events.
 */
static void
kick_channel(void)
{
	const char *dir = fuzz_xenemu_start(FUZZ_XENNET_DOMID,
					    FUZZ_XENNET_DOMID);
	int rc;

	kick_xce = xenevtchn_open(NULL, 0);
	if (kick_xce == NULL)
		die("xenevtchn_open", -errno);
	rc = xenevtchn_bind_unbound_port(kick_xce, 0);
	if (rc < 0)
		die("xenevtchn_bind_unbound_port", -errno);
	kick_port = (evtchn_port_t)rc;
	rc = xenemu_ctx_open_dom(&dom0_evt, dir, 0, XENEMU_SLOT_EVTCHN, true);
	if (rc != 0)
		die("dom0 evtchn", rc);
	rc = xenemu_evt_bind_interdomain(&dom0_evt, FUZZ_XENNET_DOMID,
					 kick_port);
	if (rc < 0)
		die("xenemu_evt_bind_interdomain", rc);
}

/* xennet_ethdev.c's, which the harnesses do not link */
int xennet_logtype;

struct rte_mempool *
fuzz_xennet_eal(char *argv0, unsigned int nb_mbufs, uint16_t buf_size)
{
	char *eal[] = { argv0, "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=lib.eal:error",
		NULL };
	struct rte_mempool *mp;

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		abort();
	mp = rte_pktmbuf_pool_create("fuzz", nb_mbufs, 0, 0, buf_size,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		abort();
	kick_channel();
	return mp;
}

void
fuzz_kick_arm(struct fuzz_kick *fk, struct xenpv_kick *k, unsigned int gap_us,
	      uint64_t *sent, uint64_t *held, uint64_t *errors)
{
	memset(fk, 0, sizeof(*fk));
	fk->k = k;
	fk->sent = sent;
	fk->held = held;
	fk->errors = errors;
	xenpv_kick_init(k, kick_xce, kick_port, gap_us);
}

/* What holds after any burst or ask. */
static void
kick_invariants(const struct fuzz_kick *fk)
{
	uint32_t owed = __atomic_load_n(&fk->k->owed, __ATOMIC_RELAXED);

	/* nothing asked is lost; nothing is sent that was not asked */
	if (*fk->sent + *fk->held + *fk->errors < fk->asked ||
	    *fk->sent + *fk->errors > fk->asked)
		abort();
	/* no gap, no debt; a debt is counted */
	if (fk->k->gap == 0 && (owed || *fk->held != 0))
		abort();
	if (owed && *fk->held == 0)
		abort();
	/* xenemu's channel works: no kick fails */
	if (*fk->errors != 0)
		abort();
}

/* An ask was just made: note whether it was held. */
static void
kick_asked(struct fuzz_kick *fk)
{
	fk->asked++;
	if (*fk->held != fk->held_before) {
		fk->owing = true;
		fk->owe_mark = *fk->sent;
	}
}

void
fuzz_kick_after(struct fuzz_kick *fk, RING_IDX prod, RING_IDX req_event)
{
	uint64_t sent = *fk->sent - fk->sent_before;
	uint64_t held = *fk->held - fk->held_before;
	uint64_t errors = *fk->errors - fk->errors_before;
	/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY's test */
	bool ask = (RING_IDX)(prod - req_event) <
		(RING_IDX)(prod - fk->prod_before);

	if (ask) {
		/* this ask's one outcome, and the owed kick's flush */
		if (held + errors + sent < 1 || held + errors > 1 ||
		    sent > 1 + fk->owed_before ||
		    (!fk->owed_before && held + errors + sent != 1))
			abort();
		kick_asked(fk);
	} else if (held != 0 || errors != 0 || sent > fk->owed_before) {
		abort();
	}
	kick_invariants(fk);
}

void
fuzz_kick_ask(struct fuzz_kick *fk)
{
	fuzz_kick_before(fk, 0);
	if (xenpv_kick(fk->k, fk->sent, fk->held) < 0)
		(*fk->errors)++;
	kick_asked(fk);
	kick_invariants(fk);
}

bool
fuzz_kick_wait_gap(struct fuzz_kick *fk)
{
	uint64_t end;

	/* at most 50 us (FUZZ_XENNET_GAPS); a longer gap outlasts the input */
	if (fk->k->gap > rte_get_tsc_hz() / 10000)
		return false;
	end = __atomic_load_n(&fk->k->next, __ATOMIC_RELAXED);
	while (rte_get_tsc_cycles() <= end)
		rte_pause();
	return true;
}

void
fuzz_kick_end(struct fuzz_kick *fk, bool gap_over)
{
	uint32_t owed = __atomic_load_n(&fk->k->owed, __ATOMIC_RELAXED);

	kick_invariants(fk);
	if (!gap_over)
		return;	/* the debt, if any, is still recorded (above) */
	/* past the gap, a burst or the control thread sent what was owed */
	if (owed || (fk->owing && *fk->sent <= fk->owe_mark))
		abort();
}

void *
fuzz_xennet_queue_mem(uint32_t n, size_t slot_size, void **slots,
		      struct xennet_pages *pages)
{
	void *sring = aligned_alloc(FUZZ_RING_PAGE, FUZZ_RING_PAGE);
	uint8_t *data = aligned_alloc(FUZZ_RING_PAGE,
				      (size_t)n * XENPV_PAGE_SIZE);

	*slots = calloc(n, slot_size);
	pages->refs = calloc(n, sizeof(*pages->refs));
	if (sring == NULL || data == NULL || *slots == NULL ||
	    pages->refs == NULL)
		abort();
	pages->nr = n;
	pages->nr_chunks = 1;
	pages->chunk[0] = data;
	return sring;
}
