/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Unit test of the common ring and xenstore helpers that need no peer: ring
 * sizes per page order, the notify decision of the push macros with our
 * barrier definitions, the hostile-input parsers, and the data-path guard:
 * its queries (which the control path waits for, from any thread) and
 * bursts against a closing control path, with either fence.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenpv.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		failures++;						\
	}								\
} while (0)

DEFINE_RING_TYPES(test, struct netif_tx_request, struct netif_tx_response);

static void
test_ring_sizes(void)
{
	/* 12-byte TX slots and 8-byte RX slots: 256 per page, x2 per order */
	CHECK(XENPV_TX_RING_SIZE(0) == 256);
	CHECK(XENPV_RX_RING_SIZE(0) == 256);
	CHECK(XENPV_TX_RING_SIZE(4) == 4096);
	CHECK(XENPV_RX_RING_SIZE(4) == 4096);
}

static void
test_push_notify(void)
{
	static union {
		struct netif_tx_sring s;
		uint8_t page[XENPV_PAGE_SIZE];
	} mem;
	struct netif_tx_front_ring front;
	struct netif_tx_back_ring back;
	int notify;

	SHARED_RING_INIT(&mem.s);
	FRONT_RING_INIT(&front, &mem.s, XENPV_PAGE_SIZE);
	BACK_RING_INIT(&back, &mem.s, XENPV_PAGE_SIZE);

	/* a fresh ring asks for an event on the first request */
	front.req_prod_pvt += 3;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	CHECK(notify);
	CHECK(xenpv_load_acquire(&mem.s.req_prod) == 3);

	/* the backend has not re-armed req_event: no notify */
	front.req_prod_pvt += 2;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	CHECK(!notify);

	/* backend consumes and re-arms: the next push notifies */
	back.req_cons = 5;
	RING_FINAL_CHECK_FOR_REQUESTS(&back, notify);
	CHECK(!notify);
	CHECK(mem.s.req_event == 6);
	front.req_prod_pvt += 1;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	CHECK(notify);

	/* overflow check on a hostile producer index */
	xenpv_store_release(&mem.s.req_prod, back.req_cons + 1000);
	CHECK(RING_REQUEST_PROD_OVERFLOW(&back, mem.s.req_prod));
}

static void
test_parse_mac(void)
{
	uint8_t mac[6];

	CHECK(xenpv_parse_mac("00:16:3e:01:02:0a", mac) == 0);
	CHECK(mac[0] == 0x00 && mac[2] == 0x3e && mac[5] == 0x0a);
	CHECK(xenpv_parse_mac("00:16:3e:01:02", mac) == -EINVAL);
	CHECK(xenpv_parse_mac("00:16:3e:01:02:0a:", mac) == -EINVAL);
	CHECK(xenpv_parse_mac("00-16-3e-01-02-0a", mac) == -EINVAL);
	CHECK(xenpv_parse_mac("zz:16:3e:01:02:0a", mac) == -EINVAL);
}

/* Paths from a peer or the toolstack, before keys are formatted under them. */
static void
test_path_ok(void)
{
	static const struct {
		const char *path, *prefix;
		bool ok;
	} rows[] = {
		{ "/local/domain/0/backend/vif/1/0", NULL, true },
		{ "/local/domain/1/device/vif/0", "/local/domain/1/", true },
		{ "/local/domain/2/device/vif/0", "/local/domain/1/", false },
		{ "/local/domain/1/", "/local/domain/1/", false },
		{ "/local/domain/1", "/local/domain/1/", false },
		{ "local/domain/0/backend", NULL, false },
		{ "/local//domain", NULL, false },
		{ "/local/domain/0/", NULL, false },
		{ "/local/domain/0/a b", NULL, false },
		{ "/local/domain/0/%s", NULL, false },
		{ "/local/domain/0/x\n", NULL, false },
		{ "/", NULL, false },
		{ "", NULL, false },
		{ "/a/b@c-d_e.f", NULL, true },
	};
	char longp[XENPV_PATH_MAX];
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++)
		CHECK(xenpv_path_ok(rows[i].path, rows[i].prefix) == rows[i].ok);
	/* no room left for a key under it */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK(!xenpv_path_ok(longp, NULL));
	longp[XENPV_PATH_MAX - 64] = '\0';
	CHECK(xenpv_path_ok(longp, NULL));
	longp[XENPV_PATH_MAX - 63] = '\0';
	longp[XENPV_PATH_MAX - 64] = 'a';
	CHECK(!xenpv_path_ok(longp, NULL));
}

static struct xenpv_dp_guard qguard;
static uint32_t closed;

static void *
close_thread(void *arg)
{
	RTE_SET_USED(arg);
	xenpv_dp_close(&qguard);
	__atomic_store_n(&closed, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A query (descriptor status, Rx interrupt arming) enters only an open
 * guard, two may be inside at once, and closing waits for both to leave.
 */
static void
test_guard_queries(void)
{
	pthread_t t;

	CHECK(!xenpv_dp_query_enter(&qguard));
	xenpv_dp_open(&qguard);
	CHECK(xenpv_dp_query_enter(&qguard));
	CHECK(xenpv_dp_query_enter(&qguard));
	if (pthread_create(&t, NULL, close_thread, NULL) != 0) {
		CHECK(0);
		return;
	}
	usleep(20000);
	CHECK(!__atomic_load_n(&closed, __ATOMIC_ACQUIRE));
	xenpv_dp_query_exit(&qguard);
	usleep(20000);
	CHECK(!__atomic_load_n(&closed, __ATOMIC_ACQUIRE));
	xenpv_dp_query_exit(&qguard);
	pthread_join(t, NULL);
	CHECK(__atomic_load_n(&closed, __ATOMIC_ACQUIRE));
	CHECK(!xenpv_dp_query_enter(&qguard));
	CHECK(qguard.queries == 0);
}

/*
 * The guard under load, with either fence (xenpv.h): a burst thread
 * enters and leaves as fast as it can and, while inside, reads a "ring"
 * the control thread poisons between closing the guard and opening it
 * again (as it unmaps rings). Inside the guard the burst must never see
 * the poison: a missing fence on either side lets a burst that read
 * running = 1 stay unseen by the closer's busy load.
 */
static struct xenpv_dp_guard sguard;
static uint32_t sring, sstop, sbad;
static uint64_t sinside;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
stress_burst(void *arg)
{
	RTE_SET_USED(arg);
	while (!__atomic_load_n(&sstop, __ATOMIC_RELAXED)) {
		if (!xenpv_dp_enter(&sguard))
			continue;
		if (__atomic_load_n(&sring, __ATOMIC_RELAXED) != 42)
			__atomic_fetch_add(&sbad, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&sinside, sinside + 1, __ATOMIC_RELAXED);
		xenpv_dp_exit(&sguard);
	}
	return NULL;
}

static void
test_guard_stress(bool asym)
{
	pthread_t t;
	unsigned int i;
	uint64_t end;

	if (asym) {
		xenpv_dp_init();
		if (!xenpv_dp_asym) {
			printf("guard stress: membarrier unavailable, full fence only\n");
			return;
		}
	}
	__atomic_store_n(&sring, 42, __ATOMIC_RELAXED);
	xenpv_dp_open(&sguard);
	if (pthread_create(&t, NULL, stress_burst, NULL) != 0) {
		CHECK(0);
		return;
	}
	/* 0.3 s of closing, each time once a burst has been inside */
	end = now_ns() + 300000000u;
	for (i = 0; now_ns() < end; i++) {
		uint64_t seen = __atomic_load_n(&sinside, __ATOMIC_RELAXED);

		while (__atomic_load_n(&sinside, __ATOMIC_RELAXED) == seen &&
		       now_ns() < end)
			rte_pause();
		xenpv_dp_close(&sguard);
		__atomic_store_n(&sring, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sring, 42, __ATOMIC_RELAXED);
		xenpv_dp_open(&sguard);
	}
	__atomic_store_n(&sstop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CHECK(sbad == 0);
	CHECK(sinside > 0);
	printf("guard stress (%s fence): %u closes, %" PRIu64 " bursts inside, %u saw a closed ring\n",
	       asym ? "asymmetric" : "full", i, sinside, sbad);
	sstop = 0;
	sbad = 0;
	sinside = 0;
}

int
main(void)
{
	test_ring_sizes();
	test_push_notify();
	test_parse_mac();
	test_path_ok();
	test_guard_queries();
	/* the full fence first: xenpv_dp_init switches the process over */
	test_guard_stress(false);
	test_guard_stress(true);
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
