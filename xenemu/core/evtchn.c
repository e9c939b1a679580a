/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core: event channels, the layer on the domain (xenemu_evtchn.h).
 * It owns the port table's rules, each handle's FIFO and the notifier's
 * FIFO cache, and registers close hooks with the domain layer (the end of
 * this file) to set up and tear down an event-channel handle, close the
 * ports of dead processes and of destroyed domains.
 *
 * Port rules follow Xen 4.17 (xen/common/event_channel.c), handle rules
 * follow Linux's evtchn device (drivers/xen/evtchn.c):
 *   bind_unbound_port(r)    lowest free port, ECS_UNBOUND for domain r (r is
 *                           not checked, as on Xen); EACCES on a restricted
 *                           handle
 *   bind_interdomain(r, p)  ESRCH if r does not exist; EINVAL unless p is an
 *                           unbound port of r waiting for us; the new local
 *                           port starts pending (Xen sets it, in case the
 *                           peer notified while unbound), so the caller gets
 *                           one event at once
 *   unbind(p)               EINVAL out of range, ENOTCONN if not this
 *                           handle's; an interdomain peer's end becomes
 *                           unbound, waiting for us again
 *   notify(p)               ENOTCONN if not this handle's; a notify on an
 *                           unbound port is dropped
 *   pending() / unmask(p)   a delivered port is masked; notifies while
 *                           masked leave one pending bit, which unmask turns
 *                           into one more delivery; unmask of a port that is
 *                           not ours is ignored
 *
 * Delivery: each handle has a FIFO (<dom>/evtchn-<slot>); its read end is the
 * handle's fd, readable when a port was delivered. A notifier sets the
 * target port's MASKED bit with one compare-and-swap, and only the notifier
 * that set it writes the port number (4 bytes, atomic below PIPE_BUF) into
 * the FIFO. So each port is in a FIFO at most once at a time, a FIFO holds
 * at most XENEMU_NR_PORTS entries (16 KiB, within a pipe's 64 KiB), and the
 * write never blocks. No lock is shared on this path.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xenemu_evtchn.h"

/* An open FIFO of some domain's event-channel handle (notifier's cache). */
struct xenemu_fifo {
	uint16_t domid;
	uint16_t slot;
	uint32_t gen;                   /* the slot's gen when opened */
	uint64_t instance;
	int fd;
};

/* Notifier FIFO cache entries per handle; the oldest is dropped beyond. */
#define FIFO_CACHE_MAX 64u

static inline uint64_t
pw_load(struct xenemu_port *p)
{
	return __atomic_load_n(&p->word, __ATOMIC_ACQUIRE);
}

static inline bool
pw_bound(uint64_t w)
{
	uint32_t st = XENEMU_PW_STATE(w);

	return st == XENEMU_PORT_UNBOUND || st == XENEMU_PORT_INTERDOMAIN;
}

bool
xenemu_evt_port_bound(struct xenemu_dom *d, uint32_t port)
{
	return port != 0 && port < d->nr_ports && pw_bound(pw_load(&d->ports[port]));
}

static int
fifo_path(char *buf, size_t len, struct xenemu_dom *d, uint32_t slot)
{
	int n = snprintf(buf, len, "%s/evtchn-%u", d->path, slot);

	return (n >= 0 && (size_t)n < len) ? 0 : -ENAMETOOLONG;
}

/*
 * Write <port> into the FIFO of handle <slot> of domain <d>. The fd is
 * cached per (domain, slot) and reopened when the slot has changed owner.
 */
static void
fifo_write(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t slot, uint32_t port)
{
	char path[PATH_MAX];
	struct xenemu_fifo *f = NULL;
	uint32_t gen, i;
	ssize_t n;

	if (slot >= d->nr_slots)
		return;
	gen = __atomic_load_n(&d->slots[slot].gen, __ATOMIC_ACQUIRE);
	pthread_mutex_lock(&c->fifo_mu);
	for (i = 0; i < c->nr_fifos; i++) {
		if (c->fifos[i].domid == d->domid && c->fifos[i].slot == slot &&
		    c->fifos[i].instance == d->instance) {
			f = &c->fifos[i];
			break;
		}
	}
	if (f != NULL && f->gen != gen) {
		close(f->fd);
		f->fd = -1;
	}
	if (f == NULL) {
		if (c->nr_fifos == FIFO_CACHE_MAX) {
			close(c->fifos[0].fd);
			memmove(&c->fifos[0], &c->fifos[1],
				(FIFO_CACHE_MAX - 1) * sizeof(c->fifos[0]));
			c->nr_fifos--;
		} else if (c->fifos == NULL) {
			c->fifos = calloc(FIFO_CACHE_MAX, sizeof(*c->fifos));
			if (c->fifos == NULL)
				goto out;
		}
		f = &c->fifos[c->nr_fifos++];
		f->domid = d->domid;
		f->slot = (uint16_t)slot;
		f->instance = d->instance;
		f->fd = -1;
	}
	if (f->fd < 0) {
		f->gen = gen;
		/* Read-write: the FIFO always has a reader, so a dead owner
		 * neither blocks the open nor raises SIGPIPE. */
		if (fifo_path(path, sizeof(path), d, slot) == 0)
			f->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (f->fd < 0)
			goto out;       /* the handle is gone: event dropped */
	}
	do
		n = write(f->fd, &port, sizeof(port));
	while (n < 0 && errno == EINTR);
	/* EAGAIN cannot happen while each port is queued at most once. */
out:
	pthread_mutex_unlock(&c->fifo_mu);
}

/*
 * Mark <port> of <d> pending, if it is still the interdomain port of
 * generation <gen>; deliver it to its handle unless it is masked.
 */
static void
deliver(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t port, uint32_t gen)
{
	struct xenemu_port *p;
	uint64_t w, nw;

	if (port == 0 || port >= d->nr_ports)
		return;
	p = &d->ports[port];
	w = pw_load(p);
	do {
		if (XENEMU_PW_GEN(w) != gen ||
		    XENEMU_PW_STATE(w) != XENEMU_PORT_INTERDOMAIN)
			return;         /* closed or re-bound meanwhile */
		if (w & XENEMU_PW_MASKED) {
			if (w & XENEMU_PW_PENDING)
				return; /* already pending: coalesced */
			nw = w | XENEMU_PW_PENDING;
		} else {
			nw = w | XENEMU_PW_MASKED;
		}
	} while (!__atomic_compare_exchange_n(&p->word, &w, nw, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	if ((w & XENEMU_PW_MASKED) == 0)
		fifo_write(c, d, XENEMU_PW_OWNER(w), port);
}

int
xenemu_evt_send(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t port)
{
	struct xenemu_dom *rd;
	uint64_t w, peer;

	if (port == 0 || port >= d->nr_ports)
		return -EINVAL;
	w = pw_load(&d->ports[port]);
	switch (XENEMU_PW_STATE(w)) {
	case XENEMU_PORT_UNBOUND:
		return 0;               /* Xen drops it silently */
	case XENEMU_PORT_INTERDOMAIN:
		break;
	default:
		return -EINVAL;
	}
	/* The peer word was written before the state that published it; if
	 * the binding changes under us, the generation check in deliver()
	 * drops the event. */
	peer = __atomic_load_n(&d->ports[port].peer, __ATOMIC_ACQUIRE);
	rd = xenemu_ctx_dom(c, XENEMU_PEER_DOM(peer));
	if (rd != NULL)
		deliver(c, rd, XENEMU_PEER_PORT(peer), XENEMU_PEER_GEN(peer));
	return 0;
}

/*
 * Change a bound port's state under the domain mutex, bumping its
 * generation. PENDING/MASKED may change concurrently (lock-free), hence the
 * compare-and-swap. Returns the new word.
 */
static uint64_t
port_change(struct xenemu_port *p, uint32_t owner, uint32_t state, bool keep_flags)
{
	uint64_t w = pw_load(p), nw;

	do {
		nw = XENEMU_PW_MAKE(XENEMU_PW_GEN(w) + 1, owner, state);
		if (keep_flags)
			nw |= w & (XENEMU_PW_PENDING | XENEMU_PW_MASKED);
	} while (!__atomic_compare_exchange_n(&p->word, &w, nw, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return nw;
}

/* Lowest free port of <d> (domain mutex held), as Xen's get_free_port. */
static int
port_alloc(struct xenemu_dom *d)
{
	uint32_t p;

	for (p = 1; p < d->nr_ports; p++)
		if (XENEMU_PW_STATE(pw_load(&d->ports[p])) == XENEMU_PORT_FREE)
			return (int)p;
	return -ENOSPC;
}

int
xenemu_evt_bind_unbound(struct xenemu_ctx *c, uint32_t remote_dom)
{
	struct xenemu_dom *d = c->self;
	struct xenemu_port *p;
	int port, rc;

	if (c->restrict_dom != XENEMU_UNRESTRICTED)
		return -EACCES;
	if (remote_dom == DOMID_SELF)
		remote_dom = d->domid;
	else if (remote_dom > UINT16_MAX)
		return -EINVAL;
	rc = xenemu_dom_lock(d);
	if (rc != 0)
		return rc;
	if (xenemu_dom_dead(d)) {
		port = -ESRCH;
	} else {
		port = port_alloc(d);
		if (port > 0) {
			p = &d->ports[port];
			__atomic_store_n(&p->peer, XENEMU_PEER_MAKE(remote_dom, 0, 0),
					 __ATOMIC_RELEASE);
			__atomic_store_n(&p->word,
					 XENEMU_PW_MAKE(XENEMU_PW_GEN(pw_load(p)) + 1,
							c->slot, XENEMU_PORT_UNBOUND),
					 __ATOMIC_RELEASE);
		}
	}
	xenemu_dom_unlock(d);
	return port;
}

int
xenemu_evt_bind_interdomain(struct xenemu_ctx *c, uint32_t remote_dom,
			    uint32_t remote_port)
{
	struct xenemu_dom *d = c->self, *rd;
	struct xenemu_port *lp, *rp;
	uint64_t rw;
	uint32_t lgen = 0, rgen;
	int lport, rc;

	if (c->restrict_dom != XENEMU_UNRESTRICTED && c->restrict_dom != remote_dom)
		return -EACCES;
	if (remote_dom == DOMID_SELF)
		remote_dom = d->domid;
	rd = xenemu_ctx_dom(c, remote_dom);
	if (rd == NULL)
		return -ESRCH;
	rc = xenemu_dom_lock2(d, rd);
	if (rc != 0)
		return rc;
	if (xenemu_dom_dead(d) || xenemu_dom_dead(rd)) {
		rc = -ESRCH;
		goto out;
	}
	lport = port_alloc(d);
	if (lport < 0) {
		rc = lport;
		goto out;
	}
	if (remote_port == 0 || remote_port >= rd->nr_ports) {
		rc = -EINVAL;
		goto out;
	}
	rp = &rd->ports[remote_port];
	rw = pw_load(rp);
	if (XENEMU_PW_STATE(rw) != XENEMU_PORT_UNBOUND ||
	    XENEMU_PEER_DOM(__atomic_load_n(&rp->peer, __ATOMIC_ACQUIRE)) != d->domid) {
		rc = -EINVAL;
		goto out;
	}
	lp = &d->ports[lport];
	lgen = XENEMU_PW_GEN(pw_load(lp)) + 1;
	rgen = XENEMU_PW_GEN(rw) + 1;   /* gens only change under the mutex */
	/* Peers first, then the states that publish them. */
	__atomic_store_n(&lp->peer, XENEMU_PEER_MAKE(rd->domid, remote_port, rgen),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&rp->peer, XENEMU_PEER_MAKE(d->domid, lport, lgen),
			 __ATOMIC_RELEASE);
	port_change(rp, XENEMU_PW_OWNER(rw), XENEMU_PORT_INTERDOMAIN, true);
	__atomic_store_n(&lp->word, XENEMU_PW_MAKE(lgen, c->slot, XENEMU_PORT_INTERDOMAIN),
			 __ATOMIC_RELEASE);
	rc = lport;
out:
	xenemu_dom_unlock2(d, rd);
	if (rc > 0)
		deliver(c, d, (uint32_t)rc, lgen);
	return rc;
}

/* Close <port> of <d> if bound by <owner> (-1: any). -ENOTCONN if not. */
static int
close_port(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t port, int owner)
{
	struct xenemu_dom *rd;
	struct xenemu_port *p, *rp;
	uint64_t w, peer, rw;
	uint32_t st, rport;
	int rc;

	if (port == 0 || port >= d->nr_ports)
		return -EINVAL;
	p = &d->ports[port];
	for (;;) {
		w = pw_load(p);
		st = XENEMU_PW_STATE(w);
		if (!pw_bound(w) || (owner >= 0 && XENEMU_PW_OWNER(w) != (uint32_t)owner))
			return -ENOTCONN;
		peer = __atomic_load_n(&p->peer, __ATOMIC_ACQUIRE);
		rd = NULL;
		if (st == XENEMU_PORT_INTERDOMAIN)
			rd = xenemu_ctx_dom(c, XENEMU_PEER_DOM(peer));
		if (rd != NULL && rd->domid == d->domid)
			rd = d;
		rc = xenemu_dom_lock2(d, rd);
		if (rc != 0)
			return rc;
		/* The peer may have closed its end since we looked. */
		if (XENEMU_PW_GEN(pw_load(p)) == XENEMU_PW_GEN(w) &&
		    __atomic_load_n(&p->peer, __ATOMIC_ACQUIRE) == peer)
			break;
		xenemu_dom_unlock2(d, rd);
	}
	if (rd != NULL) {
		/* Xen: the remote end becomes unbound, waiting for us. */
		rport = XENEMU_PEER_PORT(peer);
		if (rport != 0 && rport < rd->nr_ports) {
			rp = &rd->ports[rport];
			rw = pw_load(rp);
			if (XENEMU_PW_GEN(rw) == XENEMU_PEER_GEN(peer) &&
			    XENEMU_PW_STATE(rw) == XENEMU_PORT_INTERDOMAIN) {
				__atomic_store_n(&rp->peer, XENEMU_PEER_MAKE(d->domid, 0, 0),
						 __ATOMIC_RELEASE);
				port_change(rp, XENEMU_PW_OWNER(rw), XENEMU_PORT_UNBOUND, true);
			}
		}
	}
	port_change(p, 0, XENEMU_PORT_FREE, false);
	__atomic_store_n(&p->peer, 0, __ATOMIC_RELEASE);
	xenemu_dom_unlock2(d, rd);
	return 0;
}

int
xenemu_evt_unbind(struct xenemu_ctx *c, uint32_t port)
{
	if (port >= c->self->nr_ports)
		return -EINVAL;
	if (port == 0)
		return -ENOTCONN;
	return close_port(c, c->self, port, c->slot);
}

int
xenemu_evt_notify(struct xenemu_ctx *c, uint32_t port)
{
	uint64_t w;

	if (port == 0 || port >= c->self->nr_ports)
		return -ENOTCONN;
	w = pw_load(&c->self->ports[port]);
	if (!pw_bound(w) || XENEMU_PW_OWNER(w) != (uint32_t)c->slot)
		return -ENOTCONN;
	return xenemu_evt_send(c, c->self, port);
}

int
xenemu_evt_unmask(struct xenemu_ctx *c, uint32_t port)
{
	struct xenemu_port *p;
	uint64_t w, nw;

	if (port == 0 || port >= c->self->nr_ports)
		return 0;
	p = &c->self->ports[port];
	w = pw_load(p);
	do {
		if (!pw_bound(w) || XENEMU_PW_OWNER(w) != (uint32_t)c->slot ||
		    (w & XENEMU_PW_MASKED) == 0)
			return 0;
		/* Pending while masked: stay masked and deliver it again. */
		if (w & XENEMU_PW_PENDING)
			nw = w & ~XENEMU_PW_PENDING;
		else
			nw = w & ~XENEMU_PW_MASKED;
	} while (!__atomic_compare_exchange_n(&p->word, &w, nw, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	if (w & XENEMU_PW_PENDING)
		fifo_write(c, c->self, (uint32_t)c->slot, port);
	return 0;
}

int
xenemu_evt_pending(struct xenemu_ctx *c)
{
	uint32_t port;
	ssize_t n;

	do
		n = read(c->fifo_fd, &port, sizeof(port));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(port) || port >= XENEMU_NR_PORTS)
		return -EIO;
	return (int)port;
}

int
xenemu_evt_restrict(struct xenemu_ctx *c, uint32_t domid)
{
	if (c->restrict_dom != XENEMU_UNRESTRICTED)
		return -EACCES;
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	c->restrict_dom = domid;
	return 0;
}

/* --- close hooks: a handle's and a domain's life ----------------------------- */

static void
hook_ctx_init(struct xenemu_ctx *c)
{
	c->fifo_fd = -1;
	c->restrict_dom = XENEMU_UNRESTRICTED;
	pthread_mutex_init(&c->fifo_mu, NULL);
}

static int
hook_ctx_open(struct xenemu_ctx *c)
{
	char path[PATH_MAX];
	int rc;

	if (c->kind != XENEMU_SLOT_EVTCHN)
		return 0;
	rc = fifo_path(path, sizeof(path), c->self, (uint32_t)c->slot);
	if (rc != 0)
		return rc;
	/* A new FIFO: nothing a previous owner of the slot left is read. */
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	if (mkfifo(path, 0600) != 0)
		return -errno;
	c->fifo_fd = open(path, O_RDWR | (c->cloexec ? O_CLOEXEC : 0));
	if (c->fifo_fd < 0) {
		rc = -errno;
		unlink(path);
		return rc;
	}
	return 0;
}

/* Close every port handle <slot> of <d> bound, remove its FIFO. */
static void
hook_slot_reclaim(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t slot,
		  uint32_t kind)
{
	char path[PATH_MAX];
	uint32_t port;
	uint64_t w;

	if (kind != XENEMU_SLOT_EVTCHN)
		return;
	for (port = 1; port < d->nr_ports; port++) {
		w = pw_load(&d->ports[port]);
		if (pw_bound(w) && XENEMU_PW_OWNER(w) == slot)
			close_port(c, d, port, (int)slot);
	}
	if (fifo_path(path, sizeof(path), d, slot) == 0)
		unlink(path);
}

static void
hook_ctx_close(struct xenemu_ctx *c, bool owner)
{
	/* An inherited copy only has its own fd to close; the ports are
	 * the parent's. Other kinds of handle have no FIFO (fifo_fd -1). */
	if (owner && c->kind == XENEMU_SLOT_EVTCHN && c->slot >= 0)
		hook_slot_reclaim(c, c->self, (uint32_t)c->slot, c->kind);
	if (c->fifo_fd >= 0)
		close(c->fifo_fd);
	c->fifo_fd = -1;
}

/* Any handle may have notified (unmap notifications too): its cache goes. */
static void
hook_ctx_fini(struct xenemu_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_fifos; i++)
		close(c->fifos[i].fd);
	free(c->fifos);
	c->fifos = NULL;
	c->nr_fifos = 0;
	pthread_mutex_destroy(&c->fifo_mu);
}

/* Every port of a dying domain closes: the peers' ends become unbound. */
static void
hook_domain_destroy(struct xenemu_ctx *c, struct xenemu_dom *d)
{
	uint32_t port;

	for (port = 1; port < d->nr_ports; port++)
		close_port(c, d, port, -1);
}

/* Level 1: event channels sit directly on the domain. */
XENEMU_CLOSE_HOOKS(evtchn, 1, hook_ctx_init, hook_ctx_open, hook_ctx_close,
		   hook_ctx_fini, hook_slot_reclaim, hook_domain_destroy)
