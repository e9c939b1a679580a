/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_interrupts.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "xenpv.h"
#include "xenpv_netif.h"
#include "xenpv_zc.h"

#define XENPV_LOG(w, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, (w)->logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/*
 * The queue guard's asymmetric fence (xenpv.h): membarrier(2) with the
 * process-private expedited command, registered once per process. Without
 * it (a kernel before 4.14, or a seccomp filter refusing the call), bursts
 * keep their full fence.
 */
bool xenpv_dp_asym;

static pthread_once_t xenpv_dp_once = PTHREAD_ONCE_INIT;

static void
xenpv_dp_register(void)
{
	long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0);

	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ||
	    syscall(__NR_membarrier,
		    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) != 0)
		return;
	__atomic_store_n(&xenpv_dp_asym, true, __ATOMIC_RELEASE);
}

void
xenpv_dp_init(void)
{
	pthread_once(&xenpv_dp_once, xenpv_dp_register);
}

void
xenpv_dp_heavy_fence(void)
{
	/*
	 * Registered, the command cannot fail (membarrier(2)); should it
	 * ever, closing the guard must not go on without the fence.
	 */
	while (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
		       0) != 0)
		usleep(1000);
}

static int
xenpv_vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int
xenpv_join(char *buf, size_t len, const char *dir, const char *key)
{
	int n = snprintf(buf, len, "%s/%s", dir, key);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static char *
xenpv_xs_vread(struct xs_handle *xs, xs_transaction_t t, const char *fmt,
	       va_list ap)
{
	char path[XENPV_PATH_MAX];
	unsigned int len;
	char *val;
	int rc;

	rc = xenpv_vpath(path, sizeof(path), fmt, ap);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	val = xs_read(xs, t, path, &len);
	/* a value with an embedded NUL is garbage to every caller */
	if (val != NULL && strlen(val) != len) {
		free(val);
		errno = EINVAL;
		return NULL;
	}
	return val;
}

char *
xenpv_xs_read(struct xs_handle *xs, xs_transaction_t t, const char *fmt, ...)
{
	va_list ap;
	char *val;

	va_start(ap, fmt);
	val = xenpv_xs_vread(xs, t, fmt, ap);
	va_end(ap);
	return val;
}

int
xenpv_parse_uint(const char *s, unsigned long *val, unsigned long max)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 20)
		return -EINVAL;
	for (p = s; *p != '\0'; p++) {
		unsigned long d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned long)(*p - '0');
		/* v * 10 + d <= max, without wrapping when d > max */
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*val = v;
	return 0;
}

static int
xenpv_xs_vread_uint(struct xs_handle *xs, xs_transaction_t t,
		    unsigned long *val, unsigned long max, const char *fmt,
		    va_list ap)
{
	char *s;
	int rc;

	s = xenpv_xs_vread(xs, t, fmt, ap);
	if (s == NULL)
		return errno == ENOENT ? -ENOENT : -(errno ? errno : EIO);
	rc = xenpv_parse_uint(s, val, max);
	free(s);
	return rc;
}

int
xenpv_xs_read_uint(struct xs_handle *xs, xs_transaction_t t,
		   unsigned long *val, unsigned long max, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xenpv_xs_vread_uint(xs, t, val, max, fmt, ap);
	va_end(ap);
	return rc;
}

int
xenpv_xs_read_uint_default(struct xs_handle *xs, xs_transaction_t t,
			   unsigned long *val, unsigned long def,
			   unsigned long max, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xenpv_xs_vread_uint(xs, t, val, max, fmt, ap);
	va_end(ap);
	if (rc == -ENOENT) {
		*val = def;
		return 0;
	}
	return rc;
}

int
xenpv_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	       const char *key, const char *value)
{
	char path[XENPV_PATH_MAX];
	int rc;

	rc = xenpv_join(path, sizeof(path), dir, key);
	if (rc < 0)
		return rc;
	if (!xs_write(xs, t, path, value, strlen(value)))
		return -(errno ? errno : EIO);
	return 0;
}

int
xenpv_xs_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		const char *key, const char *fmt, ...)
{
	char value[XENPV_PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xenpv_vpath(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	return xenpv_xs_write(xs, t, dir, key, value);
}

int
xenpv_xs_rm(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	    const char *key)
{
	char path[XENPV_PATH_MAX];
	int rc;

	rc = xenpv_join(path, sizeof(path), dir, key);
	if (rc < 0)
		return rc;
	if (!xs_rm(xs, t, path) && errno != ENOENT)
		return -(errno ? errno : EIO);
	return 0;
}

int
xenpv_xs_transaction(struct xs_handle *xs,
		     int (*fn)(struct xs_handle *xs, xs_transaction_t t,
			       void *arg),
		     void *arg)
{
	xs_transaction_t t;
	int attempt, rc;

	for (attempt = 0; attempt < XENPV_XS_TX_RETRIES; attempt++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			return -(errno ? errno : EIO);
		rc = fn(xs, t, arg);
		if (rc < 0) {
			xs_transaction_end(xs, t, true);
			/* a conflict seen inside the transaction: retry */
			if (rc == -EAGAIN)
				continue;
			return rc;
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -(errno ? errno : EIO);
	}
	return -EAGAIN;
}

int
xenpv_bus_read_state(struct xs_handle *xs, const char *dir)
{
	unsigned long v;
	int rc;

	rc = xenpv_xs_read_uint(xs, XBT_NULL, &v, XenbusStateReconfigured,
				"%s/state", dir);
	if (rc == -ENOENT)
		return XenbusStateUnknown;
	if (rc < 0)
		return -EINVAL;
	return (int)v;
}

int
xenpv_bus_switch_state(struct xs_handle *xs, const char *dir,
		       enum xenbus_state state)
{
	return xenpv_xs_printf(xs, XBT_NULL, dir, "state", "%d", (int)state);
}

const char *
xenpv_bus_state_name(int state)
{
	static const char * const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	if (state < 0 || (unsigned int)state >= RTE_DIM(names))
		return "invalid";
	return names[state];
}

/* The thread of a struct xenpv_ctl (xenpv.h). */
static void *
xenpv_ctl_thread(void *arg)
{
	struct xenpv_ctl *c = arg;
	struct pollfd pfd[3];
	int timeout = 0, n;
	uint64_t v;
	char **ev;

	pfd[0].fd = xs_fileno(c->xs);
	pfd[0].events = POLLIN;
	pfd[1].fd = c->wake_fd;
	pfd[1].events = POLLIN;
	pfd[2].fd = c->extra_fd;	/* poll() skips a negative one */
	pfd[2].events = POLLIN;
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		n = poll(pfd, 3, timeout);
		if (n < 0 && errno != EINTR) {
			XENPV_LOG(c, ERR, "poll on the xenstore descriptor: %s",
				  strerror(errno));
			break;
		}
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
			break;
		if (n > 0 && (pfd[1].revents & POLLIN))
			(void)!read(c->wake_fd, &v, sizeof(v));
		/*
		 * xs_check_watch() never blocks; it hands out one queued
		 * event and consumes the wake-up byte with the last one.
		 */
		for (n = 0; n < XENPV_CTL_BATCH; n++) {
			ev = xs_check_watch(c->xs);
			if (ev == NULL)
				break;
			c->event(c->arg, ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
			free(ev);
		}
		timeout = c->run(c->arg);
		/* a full batch: more may be queued, come straight back */
		if (n == XENPV_CTL_BATCH)
			timeout = 0;
	}
	return NULL;
}

int
xenpv_ctl_start(struct xenpv_ctl *c, const char *name, struct xs_handle *xs,
		void (*event)(void *arg, const char *path, const char *token),
		int (*run)(void *arg), void *arg, int logtype)
{
	return xenpv_ctl_start_fd(c, name, xs, event, run, arg, logtype, -1);
}

int
xenpv_ctl_start_fd(struct xenpv_ctl *c, const char *name,
		   struct xs_handle *xs,
		   void (*event)(void *arg, const char *path,
				 const char *token),
		   int (*run)(void *arg), void *arg, int logtype, int extra_fd)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->extra_fd = extra_fd;
	c->xs = xs;
	c->event = event;
	c->run = run;
	c->arg = arg;
	c->logtype = logtype;
	if (xs_fileno(xs) < 0) {
		XENPV_LOG(c, ERR, "no xenstore watch descriptor: %s",
			  strerror(errno));
		return -EIO;
	}
	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->wake_fd < 0)
		return -errno;
	rc = rte_ctrl_thread_create(&c->tid, name, NULL, xenpv_ctl_thread, c);
	if (rc != 0) {
		rc = rc < 0 ? rc : -rc;
		XENPV_LOG(c, ERR, "cannot create control thread %s: %s", name,
			  strerror(-rc));
		close(c->wake_fd);
		c->wake_fd = -1;
		return rc;
	}
	c->started = true;
	return 0;
}

void
xenpv_ctl_kick(struct xenpv_ctl *c)
{
	uint64_t one = 1;

	if (c->started)
		(void)!write(c->wake_fd, &one, sizeof(one));
}

void
xenpv_ctl_stop(struct xenpv_ctl *c)
{
	if (!c->started)
		return;
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	xenpv_ctl_kick(c);
	pthread_join(c->tid, NULL);
	close(c->wake_fd);
	c->wake_fd = -1;
	c->started = false;
}

/* One xs_watch() handed to a control thread, and its outcome. */
struct xenpv_watch_req {
	struct xs_handle *xs;
	const char *path;
	const char *token;
	int rc;			/* 0 or -errno, set by the thread */
};

static void *
xenpv_watch_thread(void *arg)
{
	struct xenpv_watch_req *req = arg;

	errno = 0;
	req->rc = xs_watch(req->xs, req->path, req->token) ? 0 :
		  -(errno ? errno : EIO);
	return NULL;
}

int
xenpv_xs_watch(struct xs_handle *xs, const char *path, const char *token)
{
	struct xenpv_watch_req req = {
		.xs = xs, .path = path, .token = token, .rc = -EIO,
	};
	pthread_t tid;
	int rc;

	rc = rte_ctrl_thread_create(&tid, "xenpv-watch", NULL,
				    xenpv_watch_thread, &req);
	if (rc != 0)
		return rc < 0 ? rc : -rc;
	rc = pthread_join(tid, NULL);
	if (rc != 0)
		return -rc;
	return req.rc;
}

int
xenpv_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(s) != 17)
		return -EINVAL;
	/* %2x alone would take "+a", "-1" or " a" as a byte (fuzz finding) */
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void
xenpv_viol_log(int logtype, const char *port, const char *peer,
	       const char *ring, unsigned int q, const struct xenpv_viol *v)
{
	rte_log(RTE_LOG_ERR, logtype,
		"%s: protocol violation by %s on the %s ring of queue %u: %s (%u, %u); closing the vif\n",
		port, peer, ring, q,
		xenpv_violation_name(xenpv_viol_take(v)), v->a, v->b);
}

bool
xenpv_path_ok(const char *p, const char *prefix)
{
	size_t len = strlen(p), n = prefix != NULL ? strlen(prefix) : 0;
	const char *c;

	if (len < 2 || p[0] != '/' || p[len - 1] == '/' ||
	    len > XENPV_PATH_MAX - 64)
		return false;
	if (prefix != NULL && (strncmp(p, prefix, n) != 0 || len <= n))
		return false;
	for (c = p; *c != '\0'; c++)
		if (!(isalnum((unsigned char)*c) || *c == '/' || *c == '-' ||
		      *c == '_' || *c == '.' || *c == '@') ||
		    (c[0] == '/' && c[1] == '/'))
			return false;
	return true;
}

enum xenpv_budget_verdict
xenpv_budget_take(struct xenpv_budget *b, uint64_t now)
{
	enum xenpv_budget_verdict v = XENPV_BUDGET_HELD;
	uint64_t delay;
	bool full;

	if (b->max == 0)
		return XENPV_BUDGET_GO;
	if (b->at != 0) {
		if (now < b->at)
			return XENPV_BUDGET_WAIT;
		b->at = 0;
	} else {
		if (b->backoff > 0 && now - b->last >= XENPV_BUDGET_WINDOW_MS)
			b->backoff = 0;
		full = b->n == b->max &&
		       now - b->t[b->head] < XENPV_BUDGET_WINDOW_MS;
		if (full || b->backoff > 0) {
			delay = (uint64_t)XENPV_BACKOFF_MIN_MS <<
				RTE_MIN(b->backoff, 16);
			if (b->backoff == 0)
				v = XENPV_BUDGET_HELD_FIRST;
			if (b->backoff < UINT8_MAX)
				b->backoff++;
			b->at = now + RTE_MIN(delay,
					      (uint64_t)XENPV_BACKOFF_MAX_MS);
			b->last = now;
			return v;
		}
	}
	/* record this start-over in the window */
	if (b->n < b->max) {
		b->t[(b->head + b->n) % b->max] = now;
		b->n++;
	} else {
		b->t[b->head] = now;
		b->head = (uint16_t)((b->head + 1) % b->max);
	}
	b->last = now;
	return XENPV_BUDGET_GO;
}

bool
xenpv_budget_allow(struct xenpv_budget *b, uint64_t now, int logtype,
		   const char *port, const char *peer, const char *what,
		   uint64_t *delayed)
{
	switch (xenpv_budget_take(b, now)) {
	case XENPV_BUDGET_GO:
		return true;
	case XENPV_BUDGET_WAIT:
		return false;
	case XENPV_BUDGET_HELD_FIRST:
		rte_log(RTE_LOG_WARNING, logtype,
			"%s: %s started over %u times within a minute (devarg max_reconnects): holding %s back, from %" PRIu64 " ms up to a minute\n",
			port, peer, b->max, what, b->at - now);
		/* fall through */
	case XENPV_BUDGET_HELD:
		break;
	}
	(*delayed)++;
	return false;
}

struct rte_ring *
xenpv_zc_ring_create(const char *prefix, unsigned int n, int socket)
{
	static uint32_t seq;
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "%s%u_%u", prefix, (unsigned int)getpid(),
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	return rte_ring_create(name, n, socket, RING_F_SC_DEQ | RING_F_EXACT_SZ);
}
