/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu-xenstored: a xenstored for hosts without a hypervisor.
 *
 * It speaks the wire protocol of xen/io/xs_wire.h on one unix socket per
 * domain, $XENEMU_DIR/xenstored/dom<N>.sock, so it knows each caller's
 * domain from the socket it came in on, as C xenstored knows it from the
 * ring. Debian's libxenstore reaches it through XENSTORED_PATH.
 *
 * Single-threaded: one epoll loop over the listening sockets, the client
 * connections and a signalfd; it sleeps in epoll_wait() when idle. The node
 * database, permissions and transactions are in xstore.c; this file owns
 * connections, message framing, watches and domains' sockets.
 *
 * What a client sends is never trusted: a header announcing more than
 * XENSTORE_PAYLOAD_MAX bytes gets E2BIG and the connection is closed (its
 * stream can no longer be framed); everything else malformed gets the error
 * reply C xenstored gives, and the connection stays.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "optab.h"
#include "xenemu_core.h"
#include "xstore.h"

/* glibc's sys/queue.h lacks the _SAFE iterator. */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	     (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	     (var) = (tvar))
#endif

/* Output queued to a client that does not read it; past this it is closed. */
#define XSD_MAX_OUT (1u << 20)
/* Connections at once; more are accepted and closed at once. */
#define XSD_MAX_CONNS 1024u
/* Messages handled from one client before the others get their turn. */
#define XSD_BURST 64u

enum obj_kind { OBJ_LISTENER, OBJ_CONN, OBJ_SIGNAL };

/* The socket of one domain: who connects here is that domain. */
struct listener {
	enum obj_kind kind;
	TAILQ_ENTRY(listener) link;
	int fd;
	unsigned int domid;
	bool dead;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* A message waiting to go out: header and payload, as sent. */
struct outmsg {
	TAILQ_ENTRY(outmsg) link;
	size_t len;
	size_t off;			/* bytes already written */
	char buf[];
};

/* A watch of a connection; node is absolute (or "@..."). */
struct watch {
	TAILQ_ENTRY(watch) link;
	char *node;
	char *token;
	bool relative;			/* events strip /local/domain/<domid>/ */
};

/* An open transaction of a connection. */
struct txslot {
	TAILQ_ENTRY(txslot) link;
	uint32_t id;
	struct xstore_tx *tx;
};

/* One client connection. */
struct conn {
	enum obj_kind kind;
	TAILQ_ENTRY(conn) link;
	int fd;
	unsigned int domid;
	bool dead;			/* closed; freed after this loop turn */
	bool closing;			/* close once the output is written */
	bool drop;			/* close at once, output or not */
	bool epollout;			/* EPOLLOUT is armed */
	/* Input: the header, then its payload (+1 for a terminating NUL). */
	struct xsd_sockmsg hdr;
	size_t hdr_used;
	size_t body_used;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	TAILQ_HEAD(, outmsg) outq;
	size_t out_bytes;
	TAILQ_HEAD(, watch) watches;
	unsigned int nwatches;
	TAILQ_HEAD(, txslot) txs;
	unsigned int ntx;
	uint32_t next_txid;
};

struct daemon {
	char dir[PATH_MAX];		/* the instance's state directory */
	char sdir[PATH_MAX];		/* <dir>/xenstored */
	char pidfile[PATH_MAX];
	int epfd;
	struct {
		enum obj_kind kind;
		int fd;
	} sig;
	struct xstore *store;
	TAILQ_HEAD(, listener) listeners;
	TAILQ_HEAD(, conn) conns;
	TAILQ_HEAD(, conn) dead_conns;
	TAILQ_HEAD(, listener) dead_listeners;
	unsigned int nconns;
	bool quit;
};

static int verbose;

static void
logmsg(const char *fmt, ...)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s xenemu-xenstored[%d]: ", ts, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- output ---- */

static void
conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	   const void *a, size_t alen, const void *b, size_t blen)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = req_id, .tx_id = tx_id,
		.len = alen + blen,
	};
	struct outmsg *m;

	if (c->dead || c->closing || c->drop)
		return;
	if (c->out_bytes + sizeof(h) + alen + blen > XSD_MAX_OUT) {
		logmsg("dom%u client does not read its replies: closing it",
		       c->domid);
		c->drop = true;
		return;
	}
	m = malloc(sizeof(*m) + sizeof(h) + alen + blen);
	if (m == NULL) {
		c->drop = true;
		return;
	}
	m->len = sizeof(h) + alen + blen;
	m->off = 0;
	memcpy(m->buf, &h, sizeof(h));
	if (alen > 0)
		memcpy(m->buf + sizeof(h), a, alen);
	if (blen > 0)
		memcpy(m->buf + sizeof(h) + alen, b, blen);
	TAILQ_INSERT_TAIL(&c->outq, m, link);
	c->out_bytes += m->len;
}

/* The reply to the request being handled: same req_id and tx_id. */
static void
reply(struct conn *c, uint32_t type, const void *data, size_t len)
{
	conn_queue(c, type, c->hdr.req_id, c->hdr.tx_id, data, len, NULL, 0);
}

static void
reply_error(struct conn *c, int err)
{
	unsigned int i;

	/* Errors travel as their names; untranslatable ones as EINVAL. */
	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			break;
	if (i == sizeof(xsd_errors) / sizeof(xsd_errors[0]))
		i = 0;
	reply(c, XS_ERROR, xsd_errors[i].errstring,
	      strlen(xsd_errors[i].errstring) + 1);
}

static int
reply_checked(struct conn *c, uint32_t type, const void *data, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	reply(c, type, data, len);
	return 0;
}

static void
ack(struct conn *c, uint32_t type)
{
	reply(c, type, "OK", sizeof("OK"));
}

/* A watch event: path and token; never linked to a request (ids 0). */
static void
send_event(struct conn *c, const char *path, const char *token)
{
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;

	/* Over-long events are not sent, as C xenstored does. */
	if (pl + tl > XENSTORE_PAYLOAD_MAX)
		return;
	conn_queue(c, XS_WATCH_EVENT, 0, 0, path, pl, token, tl);
}

/* ---- connections ---- */

static void
watch_free(struct conn *c, struct watch *w)
{
	TAILQ_REMOVE(&c->watches, w, link);
	c->nwatches--;
	free(w->node);
	free(w->token);
	free(w);
}

/* Drops every watch and aborts every transaction (XS_RESET_WATCHES). */
static void
conn_reset(struct daemon *d, struct conn *c)
{
	struct txslot *t;

	while (!TAILQ_EMPTY(&c->watches))
		watch_free(c, TAILQ_FIRST(&c->watches));
	while ((t = TAILQ_FIRST(&c->txs)) != NULL) {
		TAILQ_REMOVE(&c->txs, t, link);
		xstore_tx_end(d->store, t->tx, false);
		free(t);
	}
	c->ntx = 0;
}

static void
conn_close(struct daemon *d, struct conn *c)
{
	struct outmsg *m;

	if (c->dead)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	conn_reset(d, c);
	while ((m = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, m, link);
		free(m);
	}
	c->out_bytes = 0;
	TAILQ_REMOVE(&d->conns, c, link);
	TAILQ_INSERT_TAIL(&d->dead_conns, c, link);
	d->nconns--;
}

/* Writes what the socket takes; arms EPOLLOUT for the rest. */
static void
conn_flush(struct daemon *d, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	struct outmsg *m;
	ssize_t n;
	bool want;

	if (c->drop) {
		conn_close(d, c);
		return;
	}
	while ((m = TAILQ_FIRST(&c->outq)) != NULL) {
		n = send(c->fd, m->buf + m->off, m->len - m->off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(d, c);
			return;
		}
		m->off += n;
		c->out_bytes -= n;
		if (m->off < m->len)
			continue;
		TAILQ_REMOVE(&c->outq, m, link);
		free(m);
	}
	if (TAILQ_EMPTY(&c->outq) && c->closing) {
		conn_close(d, c);
		return;
	}
	want = !TAILQ_EMPTY(&c->outq);
	if (want != c->epollout) {
		ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
		if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
			c->epollout = want;
	}
}

static void
accept_conn(struct daemon *d, struct listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int fd;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (d->nconns >= XSD_MAX_CONNS) {
		logmsg("too many connections: refusing one for dom%u",
		       l->domid);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->kind = OBJ_CONN;
	c->fd = fd;
	c->domid = l->domid;
	c->next_txid = 1;
	TAILQ_INIT(&c->outq);
	TAILQ_INIT(&c->watches);
	TAILQ_INIT(&c->txs);
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&d->conns, c, link);
	d->nconns++;
	if (verbose)
		logmsg("dom%u connected", c->domid);
}

/* ---- domain sockets ---- */

static int
listener_open(struct daemon *d, unsigned int domid)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct listener *l;
	int n, rc;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->kind = OBJ_LISTENER;
	l->domid = domid;
	n = snprintf(l->path, sizeof(l->path), "%s/dom%u.sock", d->sdir,
		     domid);
	if (n < 0 || (size_t)n >= sizeof(l->path)) {
		free(l);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, l->path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		rc = -errno;
		free(l);
		return rc;
	}
	unlink(l->path);
	ev.data.ptr = l;
	if (bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(l->path, 0600) != 0 || listen(l->fd, 64) != 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, l->fd, &ev) != 0) {
		rc = -errno;
		close(l->fd);
		unlink(l->path);
		free(l);
		return rc;
	}
	TAILQ_INSERT_TAIL(&d->listeners, l, link);
	return 0;
}

/* Closes domain <domid>'s socket and every connection made through it. */
static void
domain_disconnect(struct daemon *d, unsigned int domid)
{
	struct listener *l, *ln;
	struct conn *c, *cn;

	TAILQ_FOREACH_SAFE(l, &d->listeners, link, ln) {
		if (l->domid != domid)
			continue;
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, l->fd, NULL);
		close(l->fd);
		unlink(l->path);
		l->dead = true;
		TAILQ_REMOVE(&d->listeners, l, link);
		TAILQ_INSERT_TAIL(&d->dead_listeners, l, link);
	}
	TAILQ_FOREACH_SAFE(c, &d->conns, link, cn)
		if (c->domid == domid)
			conn_close(d, c);
}

/* ---- watches ---- */

/* The path a watch reports: relative watches drop the domain's home. */
static const char *
watch_path(const struct conn *c, const struct watch *w, const char *name)
{
	char home[32];
	size_t l;

	if (!w->relative)
		return name;
	l = snprintf(home, sizeof(home), "/local/domain/%u", c->domid);
	if (strncmp(name, home, l) != 0)
		return name;
	name += l;
	return *name == '/' ? name + 1 : name;
}

/* Like xstore_is_child(), but a watch on "/" sees everything (C xenstored). */
static bool
watch_matches(const struct watch *w, const char *name, bool exact)
{
	if (exact)
		return strcmp(name, w->node) == 0;
	if (strcmp(w->node, "/") == 0)
		return true;
	return xstore_is_child(name, w->node);
}

/* The store reports a change: queue an event for every watch it concerns. */
static void
on_fire(void *arg, const char *name, bool exact,
	const struct xstore_perms *perms)
{
	struct daemon *d = arg;
	struct watch *w;
	struct conn *c;
	int permitted;

	TAILQ_FOREACH(c, &d->conns, link) {
		permitted = -1;
		TAILQ_FOREACH(w, &c->watches, link) {
			if (!watch_matches(w, name, exact))
				continue;
			if (permitted < 0)
				permitted = xstore_watch_permitted(d->store,
						c->domid, name, perms);
			if (!permitted)
				break;
			send_event(c, watch_path(c, w, name), w->token);
		}
	}
}

static int
on_domain_exists(void *arg, unsigned int domid)
{
	struct daemon *d = arg;

	if (domid >= XSTORE_DOMID_FIRST_RESERVED)
		return 0;
	return xenemu_domain_exists(d->dir, (uint16_t)domid) == 1;
}

static unsigned int
domain_watches(const struct daemon *d, unsigned int domid)
{
	const struct conn *c;
	unsigned int n = 0;

	TAILQ_FOREACH(c, &d->conns, link)
		if (c->domid == domid)
			n += c->nwatches;
	return n;
}

/* ---- request parsing ---- */

/* The payload as exactly one NUL-terminated string, or NULL. */
static const char *
onearg(const struct conn *c)
{
	size_t len = c->hdr.len;

	if (len == 0 || memchr(c->body, '\0', len) != c->body + len - 1)
		return NULL;
	return c->body;
}

/* Number of NUL-terminated strings in the payload; the first max in vec. */
static unsigned int
get_strings(const struct conn *c, const char **vec, unsigned int max)
{
	const char *p = c->body, *end = c->body + c->hdr.len, *nul;
	unsigned int n = 0;

	while (p < end && (nul = memchr(p, '\0', end - p)) != NULL) {
		if (n < max)
			vec[n] = p;
		n++;
		p = nul + 1;
	}
	return n;
}

static unsigned int
count_nuls(const struct conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->hdr.len; i++)
		n += c->body[i] == '\0';
	return n;
}

/* A decimal number no larger than max, with nothing after it. */
static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *e;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno != 0 || *e != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
canon(const struct conn *c, const char *path, char *out, size_t len)
{
	if (path == NULL)
		return -EINVAL;
	return xstore_canonicalize(c->domid, path, out, len);
}

#define NAME_MAX_LEN (XENSTORE_ABS_PATH_MAX + 64)

/* The payload as one path, made absolute into name[NAME_MAX_LEN]. */
static int
path_arg(const struct conn *c, char *name)
{
	return canon(c, onearg(c), name, NAME_MAX_LEN);
}

/*
 * A payload that is a path, then more bytes (WRITE's value, SET_PERMS's
 * list): the path made absolute into name[NAME_MAX_LEN], and in *off where
 * the rest starts.
 */
static int
path_then(const struct conn *c, char *name, size_t *off)
{
	const char *vec[1];
	int rc;

	if (get_strings(c, vec, 1) < 1)
		return -EINVAL;
	rc = canon(c, vec[0], name, NAME_MAX_LEN);
	if (rc == 0)
		*off = strlen(vec[0]) + 1;
	return rc;
}

/* ---- requests ---- */

/*
 * Every handler has the same signature, for the table in process(): <who>
 * is the caller with its transaction (if the message names one), and the
 * request is c->hdr / c->body. It queues its reply and returns 0 (a
 * handler flagged F_ACK returns 0 and process() answers "OK"), or returns
 * the negative errno process() sends as the error reply.
 */

static int
do_read(struct daemon *d, struct conn *c,
	const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	const char *data;
	unsigned int len;
	int rc = path_arg(c, name);

	if (rc == 0)
		rc = xstore_read(d->store, who, name, &data, &len);
	if (rc == 0)
		rc = reply_checked(c, XS_READ, data, len);
	return rc;
}

static int
do_write(struct daemon *d, struct conn *c,
	 const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	size_t off;
	int rc;

	/* path, then the value: any bytes, NULs included. */
	rc = path_then(c, name, &off);
	if (rc != 0)
		return rc;
	return xstore_write(d->store, who, name, c->body + off,
			    c->hdr.len - off);
}

/* A request on one path that answers "OK": MKDIR, RM. */
static int
path_op(struct daemon *d, struct conn *c, const struct xstore_caller *who,
	int (*op)(struct xstore *, const struct xstore_caller *, const char *))
{
	char name[NAME_MAX_LEN];
	int rc = path_arg(c, name);

	return rc == 0 ? op(d->store, who, name) : rc;
}

static int
do_mkdir(struct daemon *d, struct conn *c,
	 const struct xstore_caller *who)
{
	return path_op(d, c, who, xstore_mkdir);
}

static int
do_rm(struct daemon *d, struct conn *c,
      const struct xstore_caller *who)
{
	return path_op(d, c, who, xstore_rm);
}

static int
do_directory(struct daemon *d, struct conn *c,
	     const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	const char *children;
	unsigned int len;
	uint64_t gen;
	int rc = path_arg(c, name);

	if (rc == 0)
		rc = xstore_directory(d->store, who, name, &children, &len,
				      &gen);
	/* Too long: E2BIG, and libxenstore falls back to DIRECTORY_PART. */
	if (rc == 0)
		rc = reply_checked(c, XS_DIRECTORY, children, len);
	return rc;
}

/*
 * path, offset: the children from byte <offset> of the list, as many whole
 * names as fit after the node's generation; the last part ends with an
 * empty name (C xenstored's send_directory_part()).
 */
static int
do_directory_part(struct daemon *d, struct conn *c,
		  const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN], out[XENSTORE_PAYLOAD_MAX];
	const char *vec[2], *children;
	unsigned int len, genlen, n = 0, l;
	unsigned long off;
	uint64_t gen;
	int rc;

	if (count_nuls(c) != 2 || get_strings(c, vec, 2) != 2)
		return -EINVAL;
	rc = canon(c, vec[0], name, sizeof(name));
	if (rc == 0)
		rc = xstore_directory(d->store, who, name, &children, &len,
				      &gen);
	if (rc != 0)
		return rc;
	if (parse_uint(vec[1], UINT_MAX, &off) != 0)
		return -EINVAL;
	genlen = snprintf(out, sizeof(out), "%llu",
			  (unsigned long long)gen) + 1;
	if (off >= len) {
		out[genlen] = '\0';
		reply(c, XS_DIRECTORY_PART, out, genlen + 1);
		return 0;
	}
	/* Only whole names: off must start one. */
	if (off > 0 && children[off - 1] != '\0')
		return -EINVAL;
	while (off + n < len) {
		l = strlen(children + off + n) + 1;
		if (genlen + n + l + 1 > sizeof(out))
			break;
		n += l;
	}
	if (n == 0)
		return -E2BIG;
	memcpy(out + genlen, children + off, n);
	if (off + n == len)
		out[genlen + n++] = '\0';
	reply(c, XS_DIRECTORY_PART, out, genlen + n);
	return 0;
}

static int
do_get_perms(struct daemon *d, struct conn *c,
	     const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN], out[XENSTORE_PAYLOAD_MAX + 16];
	struct xstore_perms perms;
	size_t len = 0;
	unsigned int i;
	int rc = path_arg(c, name);

	if (rc == 0)
		rc = xstore_get_perms(d->store, who, name, &perms);
	if (rc != 0)
		return rc;
	for (i = 0; i < perms.num; i++) {
		rc = xstore_perm_format(&perms.p[i], out + len,
					sizeof(out) - len);
		if (rc < 0)
			return -E2BIG;
		len += rc + 1;
	}
	return reply_checked(c, XS_GET_PERMS, out, len);
}

static int
do_set_perms(struct daemon *d, struct conn *c,
	     const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	struct xstore_perms perms;
	unsigned int num = count_nuls(c);
	size_t off;
	int rc;

	/* path, then one or more permissions. */
	if (num < 2)
		return -EINVAL;
	num--;
	if (c->domid != 0 && num > XSTORE_QUOTA_PERMS_PER_NODE)
		return -ENOSPC;
	rc = path_then(c, name, &off);
	if (rc != 0)
		return rc;
	perms.num = num;
	perms.p = calloc(num, sizeof(*perms.p));
	if (perms.p == NULL)
		return -ENOMEM;
	rc = xstore_perms_parse(c->body + off, c->hdr.len - off, num, perms.p);
	if (rc == 0)
		rc = xstore_set_perms(d->store, who, name, &perms);
	free(perms.p);
	return rc;
}

/* The watch of <c> on <node> with <token>, or NULL. */
static struct watch *
watch_find(struct conn *c, const char *node, const char *token)
{
	struct watch *w;

	TAILQ_FOREACH(w, &c->watches, link)
		if (strcmp(w->node, node) == 0 && strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

static int
do_watch(struct daemon *d, struct conn *c,
	 const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	const char *vec[2];
	struct watch *w;
	bool relative;
	int rc;

	(void)who;
	if (get_strings(c, vec, 2) != 2)
		return -EINVAL;
	if (vec[0][0] == '@') {
		relative = false;
		if (strlen(vec[0]) > XENSTORE_REL_PATH_MAX)
			return -EINVAL;
		strcpy(name, vec[0]);
	} else {
		relative = vec[0][0] != '/';
		rc = canon(c, vec[0], name, sizeof(name));
		if (rc != 0 || !xstore_valid_name(c->domid, name))
			return -EINVAL;
	}
	if (watch_find(c, name, vec[1]) != NULL)
		return -EEXIST;
	if (c->domid != 0 &&
	    domain_watches(d, c->domid) >= XSTORE_QUOTA_WATCHES_PER_DOMAIN)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	TAILQ_INSERT_TAIL(&c->watches, w, link);
	c->nwatches++;
	w->node = strdup(name);
	w->token = strdup(vec[1]);
	if (w->node == NULL || w->token == NULL) {
		watch_free(c, w);
		return -ENOMEM;
	}
	w->relative = relative;
	ack(c, XS_WATCH);
	/* The watch fires once at once: simplifies clients (C xenstored). */
	send_event(c, watch_path(c, w, w->node), w->token);
	return 0;
}

static int
do_unwatch(struct daemon *d, struct conn *c,
	   const struct xstore_caller *who)
{
	char name[NAME_MAX_LEN];
	const char *vec[2];
	struct watch *w;

	(void)d;
	(void)who;
	if (get_strings(c, vec, 2) != 2)
		return -EINVAL;
	if (canon(c, vec[0], name, sizeof(name)) != 0)
		return -EINVAL;
	w = watch_find(c, name, vec[1]);
	if (w == NULL)
		return -ENOENT;
	watch_free(c, w);
	return 0;
}

static struct txslot *
tx_find(struct conn *c, uint32_t id)
{
	struct txslot *t;

	TAILQ_FOREACH(t, &c->txs, link)
		if (t->id == id)
			return t;
	return NULL;
}

static int
do_tx_start(struct daemon *d, struct conn *c,
	    const struct xstore_caller *who)
{
	char id[16];
	struct txslot *t;
	int rc;

	/* No nested transactions. */
	if (who->tx != NULL)
		return -EBUSY;
	if (c->domid != 0 && c->ntx >= XSTORE_QUOTA_TRANSACTIONS)
		return -ENOSPC;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	rc = xstore_tx_start(d->store, c->domid, &t->tx);
	if (rc != 0) {
		free(t);
		return rc;
	}
	/* Ids are per connection; 0 means "no transaction". */
	do {
		t->id = c->next_txid++;
	} while (t->id == 0 || tx_find(c, t->id) != NULL);
	TAILQ_INSERT_TAIL(&c->txs, t, link);
	c->ntx++;
	snprintf(id, sizeof(id), "%u", t->id);
	reply(c, XS_TRANSACTION_START, id, strlen(id) + 1);
	return 0;
}

static int
do_tx_end(struct daemon *d, struct conn *c,
	  const struct xstore_caller *who)
{
	const char *arg = onearg(c);
	struct txslot *t;
	int rc;

	if (arg == NULL || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
		return -EINVAL;
	if (who->tx == NULL)
		return -ENOENT;
	t = tx_find(c, c->hdr.tx_id);
	TAILQ_REMOVE(&c->txs, t, link);
	c->ntx--;
	/* Conflict or not, the transaction is over. */
	rc = xstore_tx_end(d->store, t->tx, strcmp(arg, "T") == 0);
	free(t);
	return rc;
}

static int
arg_domid(const char *s, unsigned int *domid)
{
	unsigned long v;

	if (s == NULL || parse_uint(s, 0xFFFF, &v) != 0)
		return -EINVAL;
	*domid = v;
	return 0;
}

/* domid, gfn, port: the gfn and port name a ring xenemu does not have. */
static int
do_introduce(struct daemon *d, struct conn *c,
	     const struct xstore_caller *who)
{
	const char *vec[3];
	unsigned long v;
	unsigned int domid;
	int rc;

	(void)who;
	if (get_strings(c, vec, 3) < 3)
		return -EINVAL;
	if (arg_domid(vec[0], &domid) != 0 ||
	    parse_uint(vec[1], ULONG_MAX, &v) != 0 ||
	    parse_uint(vec[2], UINT_MAX, &v) != 0)
		return -EINVAL;
	rc = xstore_domain_introduce(d->store, domid);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = listener_open(d, domid);
		if (rc != 0) {
			logmsg("cannot open the socket of dom%u: %s", domid,
			       strerror(-rc));
			xstore_domain_release(d->store, domid);
			return -EIO;
		}
		logmsg("dom%u introduced", domid);
		on_fire(d, XSTORE_INTRODUCE_DOMAIN, false, NULL);
	}
	return 0;
}

/*
 * The requests whose one argument is a domid get it parsed by process()
 * (handlers[].dom_fn; F_GUEST: not dom0's).
 */
static int
do_release(struct daemon *d, struct conn *c, unsigned int domid)
{
	int rc;

	(void)c;
	rc = xstore_domain_release(d->store, domid);
	if (rc != 0)
		return rc;
	domain_disconnect(d, domid);
	logmsg("dom%u released", domid);
	on_fire(d, XSTORE_RELEASE_DOMAIN, false, NULL);
	return 0;
}

static int
do_get_domain_path(struct daemon *d, struct conn *c, unsigned int domid)
{
	char path[32];

	(void)d;
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	reply(c, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
	return 0;
}

static int
do_is_domain_introduced(struct daemon *d, struct conn *c, unsigned int domid)
{
	bool yes;

	yes = domid == XSTORE_DOMID_SELF ||
	      xstore_domain_introduced(d->store, domid);
	reply(c, XS_IS_DOMAIN_INTRODUCED, yes ? "T" : "F", 2);
	return 0;
}

static int
do_resume(struct daemon *d, struct conn *c, unsigned int domid)
{
	(void)c;
	return xstore_domain_introduced(d->store, domid) ? 0 : -ENOENT;
}

static int
do_reset_watches(struct daemon *d, struct conn *c,
		 const struct xstore_caller *who)
{
	(void)who;
	conn_reset(d, c);
	return 0;
}

/* The few xenstore-control commands that mean something here. */
static int
do_control(struct daemon *d, struct conn *c,
	   const struct xstore_caller *who)
{
	static const char help[] =
		"Available commands:\n"
		"check\n"
		"help\n"
		"quota\n";
	const char *vec[1];
	char out[512];
	int n;

	(void)who;
	if (get_strings(c, vec, 1) < 1)
		return -EINVAL;
	if (strcmp(vec[0], "check") == 0) {
		if (xstore_check(d->store) != 0) {
			logmsg("store check failed");
			return -EIO;
		}
		ack(c, XS_CONTROL);
	} else if (strcmp(vec[0], "help") == 0) {
		reply(c, XS_CONTROL, help, sizeof(help));
	} else if (strcmp(vec[0], "quota") == 0) {
		n = snprintf(out, sizeof(out),
			     "Nodes per domain:         %u\n"
			     "Max. entry size:          %u\n"
			     "Permissions per node:     %u\n"
			     "Watches per domain:       %u\n"
			     "Transactions per conn.:   %u\n"
			     "Nodes in store:           %zu\n",
			     XSTORE_QUOTA_ENTRIES_PER_DOMAIN,
			     XSTORE_QUOTA_ENTRY_SIZE,
			     XSTORE_QUOTA_PERMS_PER_NODE,
			     XSTORE_QUOTA_WATCHES_PER_DOMAIN,
			     XSTORE_QUOTA_TRANSACTIONS,
			     xstore_node_count(d->store));
		reply(c, XS_CONTROL, out, n + 1);
	} else {
		return -EINVAL;
	}
	return 0;
}

#define F_PRIV	(1u << 0)	/* dom0 only */
#define F_NOTID	(1u << 1)	/* the tx_id is not looked at */
#define F_GUEST	(1u << 2)	/* dom_fn's domid is not 0 */
#define F_ACK	(1u << 3)	/* success is answered "OK" here */

/* The requests of xs_wire.h, indexed by type; a hole is ENOSYS. */
static const struct handler {
	const char *name;
	unsigned int flags;
	int (*fn)(struct daemon *d, struct conn *c,
		  const struct xstore_caller *who);
	/* or, for a request whose one argument is a domid, parsed here: */
	int (*dom_fn)(struct daemon *d, struct conn *c, unsigned int domid);
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { "CONTROL", F_PRIV, do_control },
	[XS_DIRECTORY] = { "DIRECTORY", 0, do_directory },
	[XS_READ] = { "READ", 0, do_read },
	[XS_GET_PERMS] = { "GET_PERMS", 0, do_get_perms },
	[XS_WATCH] = { "WATCH", F_NOTID, do_watch },
	[XS_UNWATCH] = { "UNWATCH", F_NOTID | F_ACK, do_unwatch },
	[XS_TRANSACTION_START] = { "TRANSACTION_START", 0, do_tx_start },
	[XS_TRANSACTION_END] = { "TRANSACTION_END", F_ACK, do_tx_end },
	[XS_INTRODUCE] = { "INTRODUCE", F_PRIV | F_ACK, do_introduce },
	[XS_RELEASE] = { "RELEASE", F_PRIV | F_GUEST | F_ACK, NULL,
			 do_release },
	[XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", 0, NULL,
				 do_get_domain_path },
	[XS_WRITE] = { "WRITE", F_ACK, do_write },
	[XS_MKDIR] = { "MKDIR", F_ACK, do_mkdir },
	[XS_RM] = { "RM", F_ACK, do_rm },
	[XS_SET_PERMS] = { "SET_PERMS", F_ACK, do_set_perms },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", F_PRIV,
				      NULL, do_is_domain_introduced },
	[XS_RESUME] = { "RESUME", F_PRIV | F_GUEST | F_ACK, NULL,
			do_resume },
	[XS_RESET_WATCHES] = { "RESET_WATCHES", F_ACK, do_reset_watches },
	[XS_DIRECTORY_PART] = { "DIRECTORY_PART", 0, do_directory_part },
};

/* Handles the complete message in c->hdr / c->body. */
static void
process(struct daemon *d, struct conn *c)
{
	uint32_t type = c->hdr.type;
	struct xstore_caller who = { c->domid, NULL };
	const struct handler *h;
	unsigned int domid;
	struct txslot *t;
	int rc;

	c->body[c->hdr.len] = '\0';
	h = type < XS_TYPE_COUNT ? &handlers[type] : NULL;
	if (h == NULL || (h->fn == NULL && h->dom_fn == NULL)) {
		if (verbose)
			logmsg("dom%u: unknown operation %u", c->domid, type);
		reply_error(c, ENOSYS);
		return;
	}
	if (verbose)
		logmsg("dom%u: %s tx %u len %u", c->domid, h->name,
		       c->hdr.tx_id, c->hdr.len);
	if ((h->flags & F_PRIV) && c->domid != 0) {
		reply_error(c, EACCES);
		return;
	}
	if (!(h->flags & F_NOTID) && c->hdr.tx_id != 0) {
		t = tx_find(c, c->hdr.tx_id);
		if (t == NULL) {
			reply_error(c, ENOENT);
			return;
		}
		who.tx = t->tx;
	}
	if (h->dom_fn == NULL)
		rc = h->fn(d, c, &who);
	else if (arg_domid(onearg(c), &domid) != 0 ||
		 ((h->flags & F_GUEST) && domid == 0))
		rc = -EINVAL;
	else
		rc = h->dom_fn(d, c, domid);
	if (rc != 0)
		reply_error(c, -rc);
	else if (h->flags & F_ACK)
		ack(c, type);
}

/* Reads and handles up to XSD_BURST messages of <c>. */
static void
conn_input(struct daemon *d, struct conn *c)
{
	unsigned int handled = 0;
	ssize_t n;

	while (!c->dead && !c->closing && !c->drop && handled < XSD_BURST) {
		if (c->hdr_used < sizeof(c->hdr)) {
			n = recv(c->fd, (char *)&c->hdr + c->hdr_used,
				 sizeof(c->hdr) - c->hdr_used, MSG_DONTWAIT);
		} else {
			n = recv(c->fd, c->body + c->body_used,
				 c->hdr.len - c->body_used, MSG_DONTWAIT);
		}
		if (n == 0 && (c->hdr_used < sizeof(c->hdr) ||
			       c->body_used < c->hdr.len)) {
			conn_close(d, c);	/* the client went away */
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(d, c);
			return;
		}
		if (c->hdr_used < sizeof(c->hdr)) {
			c->hdr_used += n;
			if (c->hdr_used < sizeof(c->hdr))
				continue;
			if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
				/* Cannot find the next message: answer, close. */
				logmsg("dom%u client sent a %u byte message: "
				       "closing it", c->domid, c->hdr.len);
				reply_error(c, E2BIG);
				c->closing = true;
				return;
			}
		} else {
			c->body_used += n;
		}
		if (c->body_used < c->hdr.len)
			continue;
		process(d, c);
		c->hdr_used = 0;
		c->body_used = 0;
		handled++;
	}
}

/* ---- life cycle ---- */

/* Frees the connections and sockets closed since the last call. */
static void
reap(struct daemon *d)
{
	struct listener *l;
	struct conn *c;

	while ((c = TAILQ_FIRST(&d->dead_conns)) != NULL) {
		TAILQ_REMOVE(&d->dead_conns, c, link);
		free(c);
	}
	while ((l = TAILQ_FIRST(&d->dead_listeners)) != NULL) {
		TAILQ_REMOVE(&d->dead_listeners, l, link);
		free(l);
	}
}

static void
cleanup(struct daemon *d)
{
	struct listener *l;
	struct conn *c;

	while ((c = TAILQ_FIRST(&d->conns)) != NULL)
		conn_close(d, c);
	while ((l = TAILQ_FIRST(&d->listeners)) != NULL)
		domain_disconnect(d, l->domid);
	reap(d);
	xstore_destroy(d->store);
	if (d->sig.fd >= 0)
		close(d->sig.fd);
	if (d->epfd >= 0)
		close(d->epfd);
	unlink(d->pidfile);
	rmdir(d->sdir);
}

/* Refuses to start over a live daemon; clears a dead one's files. */
static int
take_pidfile(struct daemon *d)
{
	char buf[32];
	long pid;
	int fd, n;

	fd = open(d->pidfile, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			pid = strtol(buf, NULL, 10);
			if (pid > 0 && kill(pid, 0) == 0) {
				fprintf(stderr, "xenemu-xenstored: already "
					"running in %s (pid %ld)\n", d->dir,
					pid);
				return -EEXIST;
			}
		}
		unlink(d->pidfile);
	}
	fd = open(d->pidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		n = -errno;
		fprintf(stderr, "xenemu-xenstored: %s: %s\n", d->pidfile,
			strerror(errno));
		return n;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, n) != n) {
		n = -errno;
		close(fd);
		unlink(d->pidfile);
		return n;
	}
	close(fd);
	return 0;
}

/* mkdir, where an existing directory is fine; says why it failed. */
static int
make_dir(const char *path, mode_t mode)
{
	int rc;

	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	rc = -errno;
	fprintf(stderr, "xenemu-xenstored: %s: %s\n", path, strerror(errno));
	return rc;
}

static int
setup(struct daemon *d, const char *dir)
{
	static const struct xstore_ops ops = {
		.domain_exists = on_domain_exists,
		.fire = on_fire,
	};
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;
	int rc;

	if (strlen(dir) >= sizeof(d->dir) - 32) {
		fprintf(stderr, "xenemu-xenstored: %s: path too long\n", dir);
		return -ENAMETOOLONG;
	}
	strcpy(d->dir, dir);
	if (snprintf(d->sdir, sizeof(d->sdir), "%s/xenstored", dir) >=
	    (int)sizeof(d->sdir) ||
	    snprintf(d->pidfile, sizeof(d->pidfile), "%s/pid", d->sdir) >=
	    (int)sizeof(d->pidfile)) {
		d->pidfile[0] = '\0';
		return -ENAMETOOLONG;
	}
	rc = make_dir(d->dir, 0755);
	if (rc == 0)
		rc = make_dir(d->sdir, 0700);
	if (rc != 0)
		return rc;
	rc = take_pidfile(d);
	if (rc != 0) {
		d->pidfile[0] = '\0';
		return rc;
	}
	d->store = xstore_create(&ops, d);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->store == NULL || d->epfd < 0)
		return -ENOMEM;

	/* SIGTERM/SIGINT end the loop cleanly; SIGPIPE never kills us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d->sig.kind = OBJ_SIGNAL;
	d->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	ev.data.ptr = &d->sig;
	if (d->sig.fd < 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sig.fd, &ev) != 0)
		return -errno;

	rc = listener_open(d, 0);
	if (rc != 0) {
		fprintf(stderr, "xenemu-xenstored: cannot listen on %s/dom0.sock:"
			" %s\n", d->sdir, strerror(-rc));
		return rc;
	}
	return 0;
}

static void
loop(struct daemon *d)
{
	struct epoll_event evs[64];
	struct signalfd_siginfo si;
	struct listener *l;
	struct conn *c, *cn;
	int i, n;

	while (!d->quit) {
		n = epoll_wait(d->epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logmsg("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			enum obj_kind *k = evs[i].data.ptr;

			switch (*k) {
			case OBJ_SIGNAL:
				while (read(d->sig.fd, &si, sizeof(si)) ==
				       sizeof(si))
					if (si.ssi_signo != SIGHUP)
						d->quit = true;
				break;
			case OBJ_LISTENER:
				l = evs[i].data.ptr;
				if (!l->dead)
					accept_conn(d, l);
				break;
			case OBJ_CONN:
				c = evs[i].data.ptr;
				if (c->dead)
					break;
				if (evs[i].events & EPOLLIN)
					conn_input(d, c);
				else if (evs[i].events & (EPOLLHUP | EPOLLERR))
					conn_close(d, c);
				break;
			}
		}
		/* Replies and watch events go out; the dead are freed. */
		TAILQ_FOREACH_SAFE(c, &d->conns, link, cn)
			conn_flush(d, c);
		reap(d);
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: xenemu-xenstored [--dir DIR] [--ready-fd FD] [--verbose]\n"
		"\n"
		"The xenstore daemon of xenemu; `xenemu start` runs it.\n"
		"  --dir DIR      state directory (default: $XENEMU_DIR or /run/xenemu)\n"
		"  --ready-fd FD  write \"R\" to FD, then close it, once listening\n"
		"  --verbose      log every request to stderr\n");
}

int
main(int argc, char **argv)
{
	enum { O_DIR, O_READY_FD, O_VERBOSE, O_HELP };
	static const struct optab_row opts[] = {
		[O_DIR] = { "dir", 'd', true },
		[O_READY_FD] = { "ready-fd", 'r', true },
		[O_VERBOSE] = { "verbose", 'v', false },
		[O_HELP] = { "help", 'h', false },
	};
	struct daemon *d;
	const char *dir = NULL, *arg;
	struct optab t;
	unsigned long v;
	int ready_fd = -1, o, rc;

	optab_init_rows(&t, 0, opts, sizeof(opts) / sizeof(opts[0]));
	while ((o = optab_next(&t, argc, argv, &arg)) != OPTAB_END) {
		switch (o) {
		case O_DIR:
			dir = arg;
			break;
		case O_READY_FD:
			if (parse_uint(arg, INT_MAX, &v) != 0) {
				fprintf(stderr, "xenemu-xenstored: bad "
					"--ready-fd %s\n", arg);
				return 2;
			}
			ready_fd = (int)v;
			break;
		case O_VERBOSE:
			verbose = 1;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (dir == NULL)
		dir = xenemu_state_dir();
	if (dir[0] != '/') {
		fprintf(stderr, "xenemu-xenstored: --dir must be absolute\n");
		return 2;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return 1;
	d->epfd = -1;
	d->sig.fd = -1;
	TAILQ_INIT(&d->listeners);
	TAILQ_INIT(&d->conns);
	TAILQ_INIT(&d->dead_conns);
	TAILQ_INIT(&d->dead_listeners);
	rc = setup(d, dir);
	if (rc != 0) {
		if (d->pidfile[0] != '\0')
			cleanup(d);
		free(d);
		return 1;
	}
	logmsg("listening in %s", d->sdir);
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			logmsg("cannot report readiness: %s", strerror(errno));
		close(ready_fd);
	}
	loop(d);
	logmsg("exiting");
	cleanup(d);
	free(d);
	return 0;
}
