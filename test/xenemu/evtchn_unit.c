/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of xenemu's event channels, on the core library directly:
 * Xen's binding rules and errors, delivery through the handle's fd,
 * masking/coalescing/unmask as Linux's evtchn device, unbind turning the
 * peer's end unbound, restrict, loopback, cross-process ping-pong, and
 * reclaiming the ports of processes and domains that went away.
 */

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "gnttab_testlib.h"
#include "xenemu_internal.h"

static int
open_ctx(struct xenemu_ctx *c, uint32_t domid)
{
	return xenemu_ctx_open_dom(c, tl_dir, domid, XENEMU_SLOT_EVTCHN, true);
}

static uint32_t
port_state(struct xenemu_dom *d, uint32_t port)
{
	return XENEMU_PW_STATE(__atomic_load_n(&d->ports[port].word, __ATOMIC_ACQUIRE));
}

static uint16_t
port_remote(struct xenemu_dom *d, uint32_t port)
{
	return XENEMU_PEER_DOM(__atomic_load_n(&d->ports[port].peer, __ATOMIC_ACQUIRE));
}

/* Domains 0 and 1 with an interdomain channel p0 <-> p1, initial event eaten. */
static void
connect(struct xenemu_ctx *e0, struct xenemu_ctx *e1, int *p0, int *p1)
{
	*p0 = *p1 = -1;
	CHECK_EQ(tl_domains(2, 64, 16), 0);
	CHECK_EQ(open_ctx(e0, 0), 0);
	CHECK_EQ(open_ctx(e1, 1), 0);
	*p1 = xenemu_evt_bind_unbound(e1, 0);
	CHECK(*p1 > 0);
	*p0 = xenemu_evt_bind_interdomain(e0, 1, (uint32_t)*p1);
	CHECK(*p0 > 0);
	CHECK_EQ(tl_next_event(e0, 1000), *p0);
	CHECK_EQ(xenemu_evt_unmask(e0, (uint32_t)*p0), 0);
}

static void
test_bind_rules(void)
{
	struct xenemu_ctx e0, e1, e2;
	int p1, p1b, p0, q;

	CHECK_EQ(tl_domains(3, 64, 16), 0);
	CHECK_EQ(open_ctx(&e0, 0), 0);
	CHECK_EQ(open_ctx(&e1, 1), 0);
	CHECK_EQ(open_ctx(&e2, 2), 0);

	/* Ports are per domain, lowest free first, port 0 reserved. */
	p1 = xenemu_evt_bind_unbound(&e1, 0);
	CHECK_EQ(p1, 1);
	CHECK_EQ(xenemu_evt_bind_unbound(&e2, 0), 1);
	p1b = xenemu_evt_bind_unbound(&e1, 2);
	CHECK_EQ(p1b, 2);
	CHECK_EQ(port_state(e1.self, 1), XENEMU_PORT_UNBOUND);
	CHECK_EQ(port_remote(e1.self, 1), 0);
	/* The remote domid is recorded, not checked (Xen does the same). */
	q = xenemu_evt_bind_unbound(&e1, 77);
	CHECK(q > 0);
	CHECK_EQ(xenemu_evt_unbind(&e1, (uint32_t)q), 0);
	CHECK_EQ(xenemu_evt_bind_unbound(&e1, 0x10000), -EINVAL);
	q = xenemu_evt_bind_unbound(&e1, DOMID_SELF);
	CHECK(q > 0);
	CHECK_EQ(port_remote(e1.self, (uint32_t)q), 1);
	CHECK_EQ(xenemu_evt_unbind(&e1, (uint32_t)q), 0);

	/* Binding a port that is not unbound-for-you fails. */
	CHECK_EQ(xenemu_evt_bind_interdomain(&e2, 1, (uint32_t)p1), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1b), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 1, 0), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 1, 100), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 1, XENEMU_NR_PORTS), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 9, 1), -ESRCH);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, DOMID_FIRST_RESERVED + 2, 1), -ESRCH);
	/* No port leaked by the failures. */
	CHECK_EQ(port_state(e0.self, 1), XENEMU_PORT_FREE);

	p0 = xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1);
	CHECK_EQ(p0, 1);
	CHECK_EQ(port_state(e1.self, (uint32_t)p1), XENEMU_PORT_INTERDOMAIN);
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_INTERDOMAIN);
	/* Already bound: fails, from any domain. */
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1), -EINVAL);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e2, 1, (uint32_t)p1), -EINVAL);

	/* Another domain's port, or a port of another handle: ENOTCONN. */
	CHECK_EQ(xenemu_evt_notify(&e0, 2), -ENOTCONN);
	CHECK_EQ(xenemu_evt_notify(&e0, 5000), -ENOTCONN);
	CHECK_EQ(xenemu_evt_notify(&e0, 0), -ENOTCONN);
	CHECK_EQ(xenemu_evt_unbind(&e0, 2), -ENOTCONN);
	CHECK_EQ(xenemu_evt_unbind(&e0, XENEMU_NR_PORTS), -EINVAL);
	CHECK_EQ(xenemu_evt_unbind(&e0, 0), -ENOTCONN);
	struct xenemu_ctx e0b;

	CHECK_EQ(open_ctx(&e0b, 0), 0);
	CHECK_EQ(xenemu_evt_notify(&e0b, (uint32_t)p0), -ENOTCONN);
	CHECK_EQ(xenemu_evt_unbind(&e0b, (uint32_t)p0), -ENOTCONN);
	CHECK_EQ(xenemu_evt_unmask(&e0b, (uint32_t)p0), 0);      /* ignored */
	xenemu_ctx_close(&e0b);

	xenemu_ctx_close(&e2);
	xenemu_ctx_close(&e1);
	xenemu_ctx_close(&e0);
}

static void
test_delivery(void)
{
	struct xenemu_ctx e0, e1;
	int p0, p1, i;

	connect(&e0, &e1, &p0, &p1);
	if (tl_failed)
		return;
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);
	CHECK_EQ(tl_next_event(&e1, 0), -ETIMEDOUT);

	/* One notify: one delivery, then masked. */
	CHECK_EQ(xenemu_evt_notify(&e1, (uint32_t)p1), 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	/* Notifies while masked coalesce into one pending bit... */
	for (i = 0; i < 5; i++)
		CHECK_EQ(xenemu_evt_notify(&e1, (uint32_t)p1), 0);
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);
	/* ...that unmask turns into exactly one more delivery. */
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);      /* not masked */
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);

	/* Notifies before the reader reads: one entry. */
	for (i = 0; i < 5; i++)
		CHECK_EQ(xenemu_evt_notify(&e1, (uint32_t)p1), 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);                    /* the pending one */
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);

	/* The other direction. */
	CHECK_EQ(xenemu_evt_notify(&e0, (uint32_t)p0), 0);
	CHECK_EQ(tl_next_event(&e1, 1000), p1);
	CHECK_EQ(tl_next_event(&e0, 0), -ETIMEDOUT);

	/* Unbind: the peer's end becomes unbound, waiting for us again;
	 * its notifies are dropped. */
	CHECK_EQ(xenemu_evt_unbind(&e0, (uint32_t)p0), 0);
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_FREE);
	CHECK_EQ(port_state(e1.self, (uint32_t)p1), XENEMU_PORT_UNBOUND);
	CHECK_EQ(port_remote(e1.self, (uint32_t)p1), 0);
	CHECK_EQ(xenemu_evt_unbind(&e0, (uint32_t)p0), -ENOTCONN);
	CHECK_EQ(xenemu_evt_unmask(&e1, (uint32_t)p1), 0);
	CHECK_EQ(xenemu_evt_notify(&e1, (uint32_t)p1), 0);
	CHECK_EQ(tl_next_event(&e0, 50), -ETIMEDOUT);
	/* Rebind to the same remote port. */
	p0 = xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1);
	CHECK(p0 > 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(xenemu_evt_notify(&e1, (uint32_t)p1), 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);

	/* Closing a handle unbinds its ports. */
	xenemu_ctx_close(&e1);
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_UNBOUND);
	CHECK_EQ(port_remote(e0.self, (uint32_t)p0), 1);
	CHECK_EQ(xenemu_evt_notify(&e0, (uint32_t)p0), 0);
	xenemu_ctx_close(&e0);
}

static void
test_loopback_and_restrict(void)
{
	struct xenemu_ctx a, b, r;
	int pa, pb;

	CHECK_EQ(xenemu_domain_create(tl_dir, 3, 64, 16), 0);
	CHECK_EQ(xenemu_domain_create(tl_dir, 4, 64, 16), 0);
	CHECK_EQ(open_ctx(&a, 3), 0);
	CHECK_EQ(open_ctx(&b, 3), 0);
	pa = xenemu_evt_bind_unbound(&a, DOMID_SELF);
	CHECK(pa > 0);
	pb = xenemu_evt_bind_interdomain(&b, DOMID_SELF, (uint32_t)pa);
	CHECK(pb > 0 && pb != pa);
	CHECK_EQ(tl_next_event(&b, 1000), pb);
	CHECK_EQ(xenemu_evt_notify(&b, (uint32_t)pb), 0);
	CHECK_EQ(tl_next_event(&a, 1000), pa);
	CHECK_EQ(tl_next_event(&b, 0), -ETIMEDOUT);

	CHECK_EQ(open_ctx(&r, 3), 0);
	CHECK_EQ(xenemu_evt_restrict(&r, 0), -EINVAL);
	CHECK_EQ(xenemu_evt_restrict(&r, DOMID_FIRST_RESERVED), -EINVAL);
	CHECK_EQ(xenemu_evt_restrict(&r, 4), 0);
	CHECK_EQ(xenemu_evt_restrict(&r, 4), -EACCES);
	CHECK_EQ(xenemu_evt_bind_unbound(&r, 4), -EACCES);
	CHECK_EQ(xenemu_evt_bind_interdomain(&r, 3, (uint32_t)pa), -EACCES);
	CHECK_EQ(xenemu_evt_bind_interdomain(&r, 4, 1), -EINVAL);  /* allowed domain */
	xenemu_ctx_close(&r);
	xenemu_ctx_close(&b);
	xenemu_ctx_close(&a);
}

/* Two processes, two domains: a bounded ping-pong. */
static void
test_ping_pong_processes(void)
{
	const int rounds = 2000;
	struct xenemu_ctx e0;
	int p0, p1, i, fds[2];
	pid_t pid;

	CHECK_EQ(tl_domains(2, 64, 16), 0);
	pid = tl_fork_piped(fds);
	CHECK(pid >= 0);
	if (pid == 0) {
		struct xenemu_ctx e1;
		int port;

		if (open_ctx(&e1, 1) != 0)
			_exit(1);
		port = xenemu_evt_bind_unbound(&e1, 0);
		if (port <= 0 || write(fds[1], &port, sizeof(port)) != sizeof(port))
			_exit(2);
		for (i = 0; i < rounds; i++) {
			if (tl_next_event(&e1, 5000) != port ||
			    xenemu_evt_unmask(&e1, (uint32_t)port) != 0 ||
			    xenemu_evt_notify(&e1, (uint32_t)port) != 0)
				_exit(3);
		}
		xenemu_ctx_close(&e1);
		_exit(0);
	}
	CHECK(tl_child_answer(fds, &p1, sizeof(p1)));
	CHECK_EQ(open_ctx(&e0, 0), 0);
	p0 = xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1);
	CHECK(p0 > 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	for (i = 0; i < rounds; i++) {
		CHECK_EQ(xenemu_evt_notify(&e0, (uint32_t)p0), 0);
		CHECK_EQ(tl_next_event(&e0, 5000), p0);
		CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	}
	CHECK(tl_child_ok(pid));
	/* The child closed its handle: our end is unbound now. */
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_UNBOUND);
	xenemu_ctx_close(&e0);
}

/* A process that dies with bound ports; a domain destroyed with them. */
static void
test_reclaim(void)
{
	struct xenemu_ctx e0, e1, sweep;
	int p0, p1, fds[2], port;
	pid_t pid;

	CHECK_EQ(tl_domains(3, 64, 16), 0);
	CHECK_EQ(open_ctx(&e0, 0), 0);
	p0 = xenemu_evt_bind_unbound(&e0, 1);
	CHECK(p0 > 0);
	pid = tl_fork_piped(fds);
	CHECK(pid >= 0);
	if (pid == 0) {
		struct xenemu_ctx c;

		if (open_ctx(&c, 1) != 0)
			_exit(1);
		port = xenemu_evt_bind_interdomain(&c, 0, (uint32_t)p0);
		if (port <= 0 || write(fds[1], &port, sizeof(port)) != sizeof(port))
			_exit(2);
		_exit(0);                       /* no close: "crash" */
	}
	CHECK(tl_child_answer(fds, &port, sizeof(port)));
	CHECK(tl_child_ok(pid));
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_INTERDOMAIN);
	/* The next handle opened in domain 1 closes the dead one's ports. */
	CHECK_EQ(open_ctx(&sweep, 1), 0);
	CHECK_EQ(port_state(sweep.self, (uint32_t)port), XENEMU_PORT_FREE);
	CHECK_EQ(port_state(e0.self, (uint32_t)p0), XENEMU_PORT_UNBOUND);
	xenemu_ctx_close(&sweep);

	/* Destroying a domain closes its ports; peers become unbound. */
	CHECK_EQ(open_ctx(&e1, 2), 0);
	p1 = xenemu_evt_bind_unbound(&e1, 0);
	CHECK(p1 > 0);
	port = xenemu_evt_bind_interdomain(&e0, 2, (uint32_t)p1);
	CHECK(port > 0);
	CHECK_EQ(tl_next_event(&e0, 1000), port);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)port), 0);
	CHECK_EQ(xenemu_domain_destroy(tl_dir, 2), 0);
	CHECK_EQ(port_state(e0.self, (uint32_t)port), XENEMU_PORT_UNBOUND);
	CHECK_EQ(xenemu_evt_notify(&e0, (uint32_t)port), 0);
	CHECK_EQ(xenemu_evt_bind_interdomain(&e0, 2, (uint32_t)p1), -ESRCH);
	/* The dead domain's handle still closes cleanly. */
	xenemu_ctx_close(&e1);
	CHECK_EQ(open_ctx(&e1, 2), -ENOENT);
	xenemu_ctx_close(&e0);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tl_begin(120);
	RUN(test_bind_rules);
	RUN(test_delivery);
	RUN(test_loopback_and_restrict);
	RUN(test_ping_pong_processes);
	RUN(test_reclaim);
	return tl_end();
}
