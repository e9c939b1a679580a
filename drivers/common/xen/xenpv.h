/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Control-path helpers shared by net_xennet and net_xenback: xenstore access
 * (formatted paths, bounded integer parsing, transactions retried on EAGAIN),
 * the xenbus state machine's keys, xenstore watches delivered on a port's
 * control thread (xenpv_ctl), and the guard that lets the control path quiesce a
 * queue's data path before it tears down the rings.
 *
 * The code is linked statically into each driver (symbols prefixed xenpv_,
 * hidden), and logs through the log type the driver passes in.
 */

#ifndef XENPV_H
#define XENPV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>
#include <pthread.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_interrupts.h>
#include <rte_log.h>
#include <rte_memcpy.h>
#include <rte_pause.h>
#include <rte_spinlock.h>

struct rte_mbuf;

#include <xenstore.h>

#include "xenpv_ring.h"

/* after xenpv_ring.h, which sets the Xen interface version */
#include <xenevtchn.h>

/* Longest xenstore path we build (XENSTORE_ABS_PATH_MAX is 3072). */
#define XENPV_PATH_MAX 256

/* How often a transaction is retried when the store reports a conflict. */
#define XENPV_XS_TX_RETRIES 64

/*
 * xenstore: reads and writes of formatted paths.
 *
 * Every value a peer wrote is untrusted: xenpv_xs_read_uint() accepts only a
 * plain decimal number not above @max, so a missing key (-ENOENT) and garbage
 * (-EINVAL) or an out-of-range value (-ERANGE) are told apart.
 */

/* Read a key; returns a malloc'd string (free() it) or NULL with errno set. */
char *xenpv_xs_read(struct xs_handle *xs, xs_transaction_t t,
		    const char *fmt, ...) __rte_format_printf(3, 4);

/* Read an unsigned decimal key into *val: 0, -ENOENT, -EINVAL or -ERANGE. */
int xenpv_xs_read_uint(struct xs_handle *xs, xs_transaction_t t,
		       unsigned long *val, unsigned long max,
		       const char *fmt, ...) __rte_format_printf(5, 6);

/*
 * The parser of xenpv_xs_read_uint() and the next: plain decimal, at most 20 digits, at most @max.
 * 0, -EINVAL or -ERANGE. (Exported for its fuzz harness, test/fuzz.)
 */
int xenpv_parse_uint(const char *s, unsigned long *val, unsigned long max);

/* Like xenpv_xs_read_uint, but a missing key yields @def. */
int xenpv_xs_read_uint_default(struct xs_handle *xs, xs_transaction_t t,
			       unsigned long *val, unsigned long def,
			       unsigned long max,
			       const char *fmt, ...) __rte_format_printf(6, 7);

/* Write @value at the path "@dir/@key": 0 or -errno. */
int xenpv_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		   const char *key, const char *value);

/* Write a formatted value at "@dir/@key": 0 or -errno. */
int xenpv_xs_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		    const char *key, const char *fmt, ...)
	__rte_format_printf(5, 6);

/* Remove "@dir/@key" (a missing key is not an error): 0 or -errno. */
int xenpv_xs_rm(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		const char *key);

/*
 * Run @fn inside a xenstore transaction, retrying the whole transaction when
 * the store reports a conflict (EAGAIN) as xenbus drivers must. @fn returns 0
 * to commit or a negative errno to abort. Returns 0, @fn's error, or the
 * error of the store.
 */
int xenpv_xs_transaction(struct xs_handle *xs,
			 int (*fn)(struct xs_handle *xs, xs_transaction_t t,
				   void *arg),
			 void *arg);

/*
 * xenbus state (the "state" key of a device directory).
 * xenpv_bus_read_state returns an enum xenbus_state, XenbusStateUnknown for
 * a missing directory, or -EINVAL for garbage.
 */
int xenpv_bus_read_state(struct xs_handle *xs, const char *dir);
int xenpv_bus_switch_state(struct xs_handle *xs, const char *dir,
			   enum xenbus_state state);
const char *xenpv_bus_state_name(int state);

/*
 * A control thread that owns a xenstore handle's watch events: one per port
 * of either driver.
 *
 * Nothing runs on the EAL interrupt thread: a port's
 * xenstore work (reads of a hostile guest's keys, connects) cannot delay
 * other ports, EAL alarms or other PMDs' interrupt callbacks. The thread
 * (rte_ctrl_thread_create, control-thread CPU set) sleeps in poll() on
 * xs_fileno() and a wake-up eventfd, then:
 *
 *  - drains the events libxenstore queued, at most XENPV_CTL_BATCH per
 *    round, handing each to @event: that callback only classifies the
 *    path (sets a pending bit), it does no xenstore I/O, so a flood of
 *    events costs a list pop and a free() each and libxenstore's queue
 *    (unbounded) is emptied faster than a peer can fill it;
 *  - then calls @run once for the whole batch, which does the real work
 *    and returns how long the thread may sleep before calling it again
 *    (milliseconds; negative: until the next event or kick).
 *
 * xenpv_ctl_stop() ends the thread and joins it; it must
 * not be called from @event or @run.
 */
#define XENPV_CTL_BATCH 1024

struct xenpv_ctl {
	struct xs_handle *xs;
	void (*event)(void *arg, const char *path, const char *token);
	int (*run)(void *arg);
	void *arg;
	int logtype;
	int wake_fd;		/* eventfd: a kick or the stop request */
	int extra_fd;		/* also polled (-1: none); @run drains it */
	bool started;
	bool stop;		/* set by xenpv_ctl_stop (atomic) */
	pthread_t tid;
};

int xenpv_ctl_start(struct xenpv_ctl *c, const char *name,
		    struct xs_handle *xs,
		    void (*event)(void *arg, const char *path,
				  const char *token),
		    int (*run)(void *arg), void *arg, int logtype);
/*
 * The same, the thread also waking when @extra_fd is readable (an event
 * channel's descriptor): @run must drain it, or the thread spins.
 */
int xenpv_ctl_start_fd(struct xenpv_ctl *c, const char *name,
		       struct xs_handle *xs,
		       void (*event)(void *arg, const char *path,
				     const char *token),
		       int (*run)(void *arg), void *arg, int logtype,
		       int extra_fd);
/* Make the thread call @run soon (from any thread). */
void xenpv_ctl_kick(struct xenpv_ctl *c);
/* End the thread and wait for it (not from its callbacks). */
void xenpv_ctl_stop(struct xenpv_ctl *c);

/*
 * xs_watch() on a DPDK control thread: 0 or -errno.
 *
 * libxenstore starts a handle's reader thread on its first xs_watch(), and
 * that thread inherits the caller's CPU affinity. Called from probe, the
 * caller is the main lcore, which the application usually busy-polls: the
 * reader would starve there, and every watch event and every xenstore reply
 * of the handle would wait behind the poller. Run from a thread made by
 * rte_ctrl_thread_create(), the reader gets the control-thread CPU set.
 * Use it for every watch of a handle (only the first starts the reader,
 * and a caller cannot always know which is first). It returns once the
 * store has answered; it may be called from a watch callback, since the
 * answer is read by the reader thread, not by the callback's thread.
 */
int xenpv_xs_watch(struct xs_handle *xs, const char *path, const char *token);

/*
 * A packet copy of the data path: short ones (most frames, and headers)
 * inline with rte_memcpy, which saves the call; long ones with the C
 * library's, which picks the widest copy the CPU has at run time where
 * rte_memcpy is limited to what the build targets.
 */
#define XENPV_COPY_INLINE_MAX	256

static __rte_always_inline void
xenpv_copy(void *dst, const void *src, size_t n)
{
	if (n <= XENPV_COPY_INLINE_MAX)
		rte_memcpy(dst, src, n);
	else
		memcpy(dst, src, n);
}

/*
 * Quiescing a queue's data path from the control path.
 *
 * The burst functions run on lcores the application owns; the control path
 * (a peer disconnecting, seen on the port's control thread) must not unmap rings
 * a burst is reading. Each queue has a guard: a burst enters it (and leaves
 * at once if the queue is not running), the control path closes it and
 * waits for any burst inside to leave. The two sides follow Dekker's
 * pattern: each stores its own flag, issues a full fence, then loads the
 * other's, so at least one of them sees the other.
 *
 * The fence is asymmetric where Linux allows it (xenpv_dp_init, called by
 * each driver's probe): the control path, which closes a guard a few
 * times per connection, issues membarrier(2)'s process-wide fence, which
 * runs a full fence on every thread of the process that is running at
 * that moment, and the burst, which enters the guard millions of times a
 * second, needs only a compiler barrier. (A full fence on the burst's side
 * waits for the burst's earlier stores to the shared rings, each a cache
 * miss to the peer's core: a tenth of a 64 B frame's cost.) Bursts run
 * only in the primary process (a secondary's are dummies), whose threads
 * are the ones membarrier reaches.
 */

/*
 * Set once by xenpv_dp_init, before any guard opens (its store is ordered
 * before the bursts by the guard's own open), never cleared: read relaxed.
 */
extern bool xenpv_dp_asym;

/* Register for the asymmetric fence (any thread, any number of times). */
void xenpv_dp_init(void);

/* Control path: the heavy side of the asymmetric fence. */
void xenpv_dp_heavy_fence(void);
struct xenpv_dp_guard {
	uint32_t running;	/* control path: 1 while the rings are usable */
	uint32_t busy;		/* data path: 1 while a burst is inside */
	/*
	 * Queries (descriptor status, Rx interrupt arming) inside: a count,
	 * since an application may call them from any thread, alongside
	 * the queue's burst.
	 */
	uint32_t queries;
};

/* Data path: returns true if the burst may go on (then call _exit). */
static __rte_always_inline bool
xenpv_dp_enter(struct xenpv_dp_guard *g)
{
	__atomic_store_n(&g->busy, 1, __ATOMIC_RELAXED);
	/*
	 * busy store before running load (pairs with xenpv_dp_close): the
	 * light side of the asymmetric fence, or a full one
	 */
	if (likely(__atomic_load_n(&xenpv_dp_asym, __ATOMIC_RELAXED)))
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* acquire: the rings the control path set up before opening */
	if (likely(__atomic_load_n(&g->running, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
	return false;
}

static __rte_always_inline void
xenpv_dp_exit(struct xenpv_dp_guard *g)
{
	/* everything the burst did to the rings happens before it leaves */
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
}

/* Control path: allow bursts (after the rings are set up). */
static inline void
xenpv_dp_open(struct xenpv_dp_guard *g)
{
	__atomic_store_n(&g->running, 1, __ATOMIC_RELEASE);
}

/*
 * A query of the rings (not a burst), from any thread: true if it may read
 * them (then call _query_exit). Same pattern as xenpv_dp_enter, on a count.
 */
static inline bool
xenpv_dp_query_enter(struct xenpv_dp_guard *g)
{
	__atomic_fetch_add(&g->queries, 1, __ATOMIC_RELAXED);
	/* queries store before running load (pairs with xenpv_dp_close) */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&g->running, __ATOMIC_ACQUIRE))
		return true;
	__atomic_fetch_sub(&g->queries, 1, __ATOMIC_RELEASE);
	return false;
}

static inline void
xenpv_dp_query_exit(struct xenpv_dp_guard *g)
{
	__atomic_fetch_sub(&g->queries, 1, __ATOMIC_RELEASE);
}

/* Control path: stop bursts and queries, wait until none is inside. */
static inline void
xenpv_dp_close(struct xenpv_dp_guard *g)
{
	__atomic_store_n(&g->running, 0, __ATOMIC_RELAXED);
	/* running store before busy load (pairs with xenpv_dp_enter) */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&xenpv_dp_asym, __ATOMIC_RELAXED))
		xenpv_dp_heavy_fence();
	while (__atomic_load_n(&g->busy, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&g->queries, __ATOMIC_ACQUIRE))
		rte_pause();
}

static inline bool
xenpv_dp_is_open(const struct xenpv_dp_guard *g)
{
	return __atomic_load_n(&g->running, __ATOMIC_ACQUIRE) != 0;
}

/*
 * A peer's protocol violation, as both drivers record it: the burst that
 * sees it (one at a time per ring) records the first one with two numbers
 * that explain it, and stops using the ring; the control path takes it,
 * logs it once with xenpv_viol_log() and closes the vif over xenbus. The
 * burst writes a and b, then the code with release; the control path loads
 * the code with acquire, then a and b, so it never logs half a record.
 */
struct xenpv_viol {
	uint32_t code;		/* enum xenpv_violation, 0 if none */
	uint32_t a, b;		/* what was wrong, for the log */
};

/* Data path: record a violation unless one is already recorded. */
static inline void
xenpv_viol_set(struct xenpv_viol *v, uint32_t code, uint32_t a, uint32_t b)
{
	if (__atomic_load_n(&v->code, __ATOMIC_RELAXED) != 0)
		return;
	v->a = a;
	v->b = b;
	__atomic_store_n(&v->code, code, __ATOMIC_RELEASE);
}

/* Data path: is the ring broken? (its own burst's write: relaxed) */
static inline bool
xenpv_viol_is_set(const struct xenpv_viol *v)
{
	return __atomic_load_n(&v->code, __ATOMIC_RELAXED) != 0;
}

/* Control path: the code (0 if none), with a and b readable after it. */
static inline uint32_t
xenpv_viol_take(const struct xenpv_viol *v)
{
	return __atomic_load_n(&v->code, __ATOMIC_ACQUIRE);
}

/* Control path, rings quiesced: forget it for the next connection. */
static inline void
xenpv_viol_clear(struct xenpv_viol *v)
{
	v->a = 0;
	v->b = 0;
	__atomic_store_n(&v->code, 0, __ATOMIC_RELAXED);
}

/*
 * The one log line of a violation: "<port>: protocol violation by <peer>
 * on the <ring> ring of queue <q>: <reason> (<a>, <b>); closing the vif".
 */
void xenpv_viol_log(int logtype, const char *port, const char *peer,
		    const char *ring, unsigned int q,
		    const struct xenpv_viol *v);

/*
 * Ethdev TX queues over netif queues (both drivers). A connection has n
 * netif queues; ethdev TX queue i sends on the ring of netif queue i mod n.
 * A ring that two ethdev TX queues send on (more TX queues than netif
 * queues, as OVS-DPDK configures) is serialised by its lock; a ring with one
 * sender takes none, so the common 1:1 layout stays lock-free. The control
 * path sets each queue's map while its guard is closed, so a burst sees one
 * map from entering the guard to leaving it.
 */
struct xenpv_tx_map {
	void *ring;		/* the driver's ring structure to send on */
	rte_spinlock_t *lock;	/* the ring's lock if shared, else NULL */
};

/* Does ethdev TX queue @i share its ring (n netif queues, @ntx TX queues)? */
static inline bool
xenpv_tx_ring_shared(unsigned int i, unsigned int n, unsigned int ntx)
{
	return i % n + n < ntx;
}

/* A TX burst through the queue's guard and map; @burst does one ring. */
static __rte_always_inline uint16_t
xenpv_tx_map_burst(struct xenpv_dp_guard *g, const struct xenpv_tx_map *m,
		   uint16_t (*burst)(void *ring, struct rte_mbuf **pkts,
				     uint16_t n),
		   struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (unlikely(!xenpv_dp_enter(g)))
		return 0;
	if (m->lock == NULL) {
		sent = burst(m->ring, pkts, n);
	} else {
		rte_spinlock_lock(m->lock);
		sent = burst(m->ring, pkts, n);
		rte_spinlock_unlock(m->lock);
	}
	xenpv_dp_exit(g);
	return sent;
}

/*
 * A query of the ring ethdev TX queue @g/@m sends on (descriptor status):
 * @fn on that ring under the ring's lock if shared; @closed if the queue
 * has no ring now.
 */
static inline int
xenpv_tx_map_query(struct xenpv_dp_guard *g, const struct xenpv_tx_map *m,
		   int (*fn)(const void *ring, uint16_t arg), uint16_t arg,
		   int closed)
{
	int r;

	if (!xenpv_dp_query_enter(g))
		return closed;
	if (m->lock == NULL) {
		r = fn(m->ring, arg);
	} else {
		rte_spinlock_lock(m->lock);
		r = fn(m->ring, arg);
		rte_spinlock_unlock(m->lock);
	}
	xenpv_dp_query_exit(g);
	return r;
}

/*
 * Defines @name, a driver's tx_descriptor_status: the query @ring_fn on
 * the ring ethdev TX queue @queue (a @qtype with members guard, map and
 * nb_desc) sends on; an offset past the application's count is -EINVAL.
 */
#define XENPV_TX_DESC_STATUS_DEFINE(name, qtype, ring_fn)		\
int									\
name(void *queue, uint16_t offset)					\
{									\
	qtype *q = queue;						\
									\
	if (offset >= q->nb_desc)					\
		return -EINVAL;						\
	return xenpv_tx_map_query(&q->guard, &q->map, ring_fn, offset,	\
				  RTE_ETH_TX_DESC_UNAVAIL);		\
}

/*
 * Defines @name, a driver's rx_descriptor_status on ethdev RX queue @queue
 * (a @qtype with members guard and nb_desc), inside its guard: an offset
 * past the application's count is -EINVAL, past @size_fn(q) (the size of
 * the ring the queue reads now, 0 if none) UNAVAIL, below @filled_fn(q)
 * (what the peer has filled and we have not taken) DONE, else AVAIL.
 */
#define XENPV_RX_DESC_STATUS_DEFINE(name, qtype, size_fn, filled_fn)	\
int									\
name(void *queue, uint16_t offset)					\
{									\
	qtype *q = queue;						\
	int st;								\
									\
	if (offset >= q->nb_desc)					\
		return -EINVAL;						\
	if (!xenpv_dp_query_enter(&q->guard))				\
		return RTE_ETH_RX_DESC_UNAVAIL;				\
	if (offset >= size_fn(q))					\
		st = RTE_ETH_RX_DESC_UNAVAIL;				\
	else if (offset < filled_fn(q))					\
		st = RTE_ETH_RX_DESC_DONE;				\
	else								\
		st = RTE_ETH_RX_DESC_AVAIL;				\
	xenpv_dp_query_exit(&q->guard);					\
	return st;							\
}

/*
 * Defines @name, a driver's tx_pkt_burst: ethdev TX queue @queue (a
 * @qtype with members guard, map and link_down) sends through
 * xenpv_tx_map_burst, @ring_burst doing one ring. While the link is down
 * (link_down, set by the control path: dev_set_link_down, net_xenback's
 * carrier key) it drops what it is given and counts it in q->@drops.
 */
#define XENPV_TX_BURST_DEFINE(name, qtype, ring_burst, drops)		\
uint16_t								\
name(void *queue, struct rte_mbuf **pkts, uint16_t n)			\
{									\
	qtype *q = queue;						\
									\
	if (unlikely(__atomic_load_n(&q->link_down, __ATOMIC_RELAXED))) { \
		rte_pktmbuf_free_bulk(pkts, n);				\
		q->drops += n;						\
		return n;						\
	}								\
	return xenpv_tx_map_burst(&q->guard, &q->map, ring_burst,	\
				  pkts, n);				\
}

/*
 * Kicks to the peer on one ring's event channel, at most one per gap
 * (devarg notify_gap_us of both drivers): the peer's event index decides
 * whether a burst kicks, and a peer asking after every request or
 * response would cost the lcore an ioctl and a hypercall per burst. A
 * kick asked for within the gap is owed, and sent past the gap by the next
 * burst on the ring, by the other ring's burst of the same netif queue
 * (RX bursts run all the time), or by the control thread (every 100 ms at
 * worst). Bursts of several threads and the control thread use it: next
 * and owed are atomic; gap, xce and port are set with the guards closed.
 */
struct xenpv_kick {
	uint64_t next;		/* TSC before which no kick goes out */
	uint64_t gap;		/* TSC cycles; 0: no limit */
	uint32_t owed;		/* a kick held back */
	evtchn_port_t port;	/* local port of the ring's channel */
	xenevtchn_handle *xce;
};

/*
 * The ring's peer asked for a kick: send it (counted in *@sent, a failed
 * notify returns -1), or owe it (counted in *@held). The counters are
 * added to atomically: a flush from another thread counts in *@sent too.
 */
static inline int
xenpv_kick(struct xenpv_kick *k, uint64_t *sent, uint64_t *held)
{
	uint64_t now;

	if (k->gap != 0) {
		now = rte_get_tsc_cycles();
		if (now < __atomic_load_n(&k->next, __ATOMIC_RELAXED)) {
			__atomic_store_n(&k->owed, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(held, 1, __ATOMIC_RELAXED);
			return 0;
		}
		__atomic_store_n(&k->next, now + k->gap, __ATOMIC_RELAXED);
		__atomic_store_n(&k->owed, 0, __ATOMIC_RELAXED);
	}
	if (unlikely(xenevtchn_notify(k->xce, k->port) != 0))
		return -1;
	__atomic_fetch_add(sent, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Send a kick owed on the ring if its gap is over (@force: at once), from
 * any thread; counted in *@sent as xenpv_kick counts.
 */
static inline void
xenpv_kick_flush(struct xenpv_kick *k, bool force, uint64_t *sent)
{
	uint64_t now;

	if (likely(!__atomic_load_n(&k->owed, __ATOMIC_RELAXED)))
		return;
	now = rte_get_tsc_cycles();
	if (!force && now < __atomic_load_n(&k->next, __ATOMIC_RELAXED))
		return;
	/* one thread sends it */
	if (__atomic_exchange_n(&k->owed, 0, __ATOMIC_RELAXED) == 0)
		return;
	__atomic_store_n(&k->next, now + k->gap, __ATOMIC_RELAXED);
	if (xenevtchn_notify(k->xce, k->port) == 0)
		__atomic_fetch_add(sent, 1, __ATOMIC_RELAXED);
}

/* Arm @k for a connection: its channel, the gap in microseconds. */
static inline void
xenpv_kick_init(struct xenpv_kick *k, xenevtchn_handle *xce,
		evtchn_port_t port, unsigned int gap_us)
{
	k->xce = xce;
	k->port = port;
	k->gap = (uint64_t)gap_us * rte_get_tsc_hz() / 1000000;
	k->next = 0;
	__atomic_store_n(&k->owed, 0, __ATOMIC_RELAXED);
}

/*
 * What both drivers take alike from the devargs of xenpv_vdev.h: the features (part of
 * each driver's cfg, as cfg.pv) and the kick gap; xenpv_cfg_get() also
 * gives the reconnect budget's maximum.
 */
struct xenpv_cfg {
	bool sg;		/* scatter-gather: multi-slot packets */
	bool csum;		/* checksum offloads */
	bool gso;		/* TSO / LRO */
	bool split;		/* split event channels (if the peer offers) */
	uint16_t notify_gap_us;	/* least time between two kicks on a ring */
};

/*
 * The operations (XENPV_ETH_DEV_OPS, xenpv_vdev.h) and fast-path queries a driver
 * implements in its <prefix>_ops.c (descriptor status, link up/down, Rx
 * interrupts) or beside it (the multicast filter: xennet_mcast.c), declared
 * once for both.
 */
#define XENPV_OPS_DECLARE(pfx)						\
	uint32_t pfx ## _rx_queue_count(void *queue);			\
	int pfx ## _rx_descriptor_status(void *queue, uint16_t offset);	\
	int pfx ## _tx_descriptor_status(void *queue, uint16_t offset);	\
	int pfx ## _dev_set_link_up(struct rte_eth_dev *dev);		\
	int pfx ## _dev_set_link_down(struct rte_eth_dev *dev);		\
	int pfx ## _rx_queue_intr_enable(struct rte_eth_dev *dev,	\
					 uint16_t qid);			\
	int pfx ## _rx_queue_intr_disable(struct rte_eth_dev *dev,	\
					  uint16_t qid);			\
	int pfx ## _allmulticast_enable(struct rte_eth_dev *dev);	\
	int pfx ## _allmulticast_disable(struct rte_eth_dev *dev);	\
	int pfx ## _set_mc_addr_list(struct rte_eth_dev *dev,		\
				     struct rte_ether_addr *mc,		\
				     uint32_t nb)

/*
 * Defines a driver's <pfx>_dev_set_link_up and _down (XENPV_OPS_DECLARE):
 * @set_link(dev, true or false), its one function for both.
 */
#define XENPV_SET_LINK_DEFINE(pfx, set_link)				\
int									\
pfx ## _dev_set_link_up(struct rte_eth_dev *dev)			\
{									\
	return set_link(dev, true);					\
}									\
									\
int									\
pfx ## _dev_set_link_down(struct rte_eth_dev *dev)			\
{									\
	return set_link(dev, false);					\
}

/* The control path's clock: CLOCK_MONOTONIC, in milliseconds. */
static inline uint64_t
xenpv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A port's connection counters, alike in both drivers (xstats
 * vif_management_connections, _disconnections, _reconnects_delayed and
 * protocol_violation_errors): counted by the control path under the port's
 * lock, zeroed as one by stats_reset.
 */
struct xenpv_vif_counts {
	uint64_t connects;		/* connections made */
	uint64_t disconnects;		/* connections torn down */
	uint64_t violations;		/* times the port broke on a violation */
	uint64_t reconnects_delayed;	/* connections held back (budget) */
};

/*
 * A reconnect budget (both drivers, devarg max_reconnects): may the peer,
 * which started over, be served now? Within @max start-overs in the last
 * minute, yes. Beyond, it is held back 250 ms, then twice as long at each
 * further start-over, up to a minute, until the peer has left the vif
 * alone for a minute. Control path only (under the port's lock).
 */
#define XENPV_RECONNECTS_MAX		256
#define XENPV_RECONNECTS_DEFAULT	30
#define XENPV_BUDGET_WINDOW_MS		60000
#define XENPV_BACKOFF_MIN_MS		250
#define XENPV_BACKOFF_MAX_MS		60000

struct xenpv_budget {
	uint16_t max;			/* a minute; 0: no limit */
	uint16_t head;			/* oldest entry once full */
	uint16_t n;
	uint8_t backoff;		/* delays in a row */
	uint64_t t[XENPV_RECONNECTS_MAX];	/* ms of each, a ring */
	uint64_t last;			/* ms of the last start-over */
	uint64_t at;			/* ms: held until then, 0: not */
};

enum xenpv_budget_verdict {
	XENPV_BUDGET_GO,		/* serve it now */
	XENPV_BUDGET_WAIT,		/* still held from before, until b->at */
	XENPV_BUDGET_HELD,		/* this start-over held until b->at */
	XENPV_BUDGET_HELD_FIRST,	/* the same, first of an episode: log */
};

/*
 * A start-over at @now (ms, monotonic), or a look whether a held one is
 * due: go, or held until b->at.
 */
enum xenpv_budget_verdict xenpv_budget_take(struct xenpv_budget *b,
					    uint64_t now);

/*
 * The budget's verdict for a port (@port) whose @peer (e.g. "frontend
 * domain 1") started over at @now: true to serve it now. A start-over held
 * back is counted in *@delayed; the first of an episode is logged once
 * (WARNING, naming @what is held back).
 */
bool xenpv_budget_allow(struct xenpv_budget *b, uint64_t now, int logtype,
			const char *port, const char *peer, const char *what,
			uint64_t *delayed);

/* The devarg's default and its largest value, in microseconds. */
#define XENPV_NOTIFY_GAP_US_DEFAULT	20
#define XENPV_NOTIFY_GAP_US_MAX		10000

/*
 * Descriptor counts both drivers accept in rx/tx_queue_setup. The shared
 * ring of the connection, sized by the frontend's ring-page-order, bounds
 * what is in flight, not the count: any count in this range is taken (as
 * virtio takes any count against its vring), so that clients start with
 * their defaults (OVS-DPDK 2048, pktgen 1024/2048).
 */
#define XENPV_NB_DESC_MIN 1
#define XENPV_NB_DESC_MAX 32768

/*
 * A xenstore path a peer or the toolstack wrote, before we format keys
 * under it: absolute, below @prefix (if not NULL) with something after it,
 * short enough for XENPV_PATH_MAX with a key appended (64 bytes spare), of
 * [A-Za-z0-9/_.@-] only, no empty component, no trailing '/'.
 */
bool xenpv_path_ok(const char *p, const char *prefix);

/* Parse "xx:xx:xx:xx:xx:xx" into @mac: 0 or -EINVAL. */
int xenpv_parse_mac(const char *s, uint8_t mac[6]);

#endif /* XENPV_H */
