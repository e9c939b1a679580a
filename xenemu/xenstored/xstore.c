/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xstore: xenemu's xenstore node database, transactions and permissions.
 * See xstore.h for what it models; the comments below say where it follows
 * C xenstored 4.17 and why.
 */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <xen/io/xs_wire.h>

#include "xstore.h"

/* Generation of a node that does not exist (C xenstored's NO_GENERATION). */
#define XSTORE_NO_GEN UINT64_MAX
/* Accessed nodes one unprivileged transaction may hold (memory bound). */
#define XSTORE_TX_MAX_ENTRIES 65536u
/* Size C xenstored accounts for a record's header in the entry-size quota. */
#define XSTORE_RECORD_HDR 20u

/* An entry of a string-keyed chained hash table; embedded first. */
struct hentry {
	struct hentry *next;
	char *key;
};

struct htab {
	struct hentry **b;
	size_t nb;
	size_t count;
};

/*
 * One node of the tree, as C xenstored's TDB record: the path is the key;
 * the children are a NUL-separated list of names (each followed by a NUL)
 * in creation order, which is the order XS_DIRECTORY answers.
 */
struct xnode {
	struct hentry h;		/* h.key: the absolute path */
	uint64_t gen;			/* generation of the last change */
	struct xstore_perms perms;
	unsigned int datalen;
	char *data;
	unsigned int childlen;
	char *children;
};

/*
 * A domain the store knows of: introduced, or referenced by a permission
 * while it existed. gen is the store generation when the store learnt of
 * it: a permission stored in a node older than the domain names an earlier
 * domain with the same id and is ignored (C xenstored's
 * domain_adjust_node_perms()), so a new domain never inherits the rights of
 * a dead one.
 */
struct xdomain {
	TAILQ_ENTRY(xdomain) link;
	unsigned int domid;
	uint64_t gen;
	bool introduced;
	unsigned int nbentry;		/* nodes it owns (quota) */
};

/* A node a transaction accessed: its snapshot and what the commit checks. */
struct txent {
	struct hentry h;		/* h.key: the absolute path */
	TAILQ_ENTRY(txent) link;	/* order of first access */
	uint64_t gen;			/* generation read, or XSTORE_NO_GEN */
	bool check_gen;			/* read before written: verify at commit */
	bool modified;
	struct xnode *node;		/* the node as the tx sees it; NULL: absent */
};

/* A watch event held back until its transaction commits. */
struct txev {
	TAILQ_ENTRY(txev) link;
	char *name;
	bool exact;
	struct xstore_perms perms;	/* num 0: none */
};

struct txdelta {
	unsigned int domid;
	int delta;
};

struct xstore_tx {
	unsigned int domid;
	uint64_t gen;
	struct htab ents;
	TAILQ_HEAD(, txent) order;
	TAILQ_HEAD(, txev) events;
	struct txdelta *deltas;
	unsigned int ndeltas;
	bool fail;			/* out of memory inside: cannot commit */
};

struct xstore {
	struct htab nodes;
	uint64_t generation;		/* next generation to hand out */
	TAILQ_HEAD(, xdomain) domains;
	struct xstore_perms release_perms;	/* of @releaseDomain */
	struct xstore_perms introduce_perms;	/* of @introduceDomain */
	struct xstore_ops ops;
	void *arg;
};

/* ---- hash table ---- */

static size_t
ht_hash(const char *key)
{
	size_t h = 14695981039346656037ull;	/* FNV-1a */

	while (*key != '\0') {
		h ^= (unsigned char)*key++;
		h *= 1099511628211ull;
	}
	return h;
}

static int
ht_init(struct htab *t)
{
	t->nb = 64;
	t->count = 0;
	t->b = calloc(t->nb, sizeof(*t->b));
	return t->b == NULL ? -ENOMEM : 0;
}

static struct hentry *
ht_get(const struct htab *t, const char *key)
{
	struct hentry *e;

	for (e = t->b[ht_hash(key) & (t->nb - 1)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Adds <e>, whose key must not be in <t>. Growing is best effort. */
static void
ht_add(struct htab *t, struct hentry *e)
{
	size_t i;

	if (t->count >= t->nb) {
		struct hentry **nb = calloc(t->nb * 2, sizeof(*nb));

		if (nb != NULL) {
			for (i = 0; i < t->nb; i++) {
				while (t->b[i] != NULL) {
					struct hentry *x = t->b[i];
					size_t j = ht_hash(x->key) &
						   (t->nb * 2 - 1);

					t->b[i] = x->next;
					x->next = nb[j];
					nb[j] = x;
				}
			}
			free(t->b);
			t->b = nb;
			t->nb *= 2;
		}
	}
	i = ht_hash(e->key) & (t->nb - 1);
	e->next = t->b[i];
	t->b[i] = e;
	t->count++;
}

static struct hentry *
ht_del(struct htab *t, const char *key)
{
	struct hentry **pp, *e;

	for (pp = &t->b[ht_hash(key) & (t->nb - 1)]; (e = *pp) != NULL;
	     pp = &e->next) {
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			t->count--;
			return e;
		}
	}
	return NULL;
}

/* ---- nodes ---- */

static void
perms_free(struct xstore_perms *p)
{
	free(p->p);
	p->p = NULL;
	p->num = 0;
}

static int
perms_copy(struct xstore_perms *dst, const struct xstore_perms *src)
{
	dst->num = 0;
	dst->p = malloc(src->num * sizeof(*src->p));
	if (dst->p == NULL)
		return -ENOMEM;
	memcpy(dst->p, src->p, src->num * sizeof(*src->p));
	dst->num = src->num;
	return 0;
}

static void
node_free(struct xnode *n)
{
	if (n == NULL)
		return;
	free(n->h.key);
	perms_free(&n->perms);
	free(n->data);
	free(n->children);
	free(n);
}

/* A new node named <name> with a copy of <perms>, no value, no children. */
static struct xnode *
node_new(const char *name, const struct xstore_perms *perms)
{
	struct xnode *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->h.key = strdup(name);
	if (n->h.key == NULL || perms_copy(&n->perms, perms) != 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

static int
set_bytes(char **dst, unsigned int *dstlen, const void *src, unsigned int len)
{
	char *p = NULL;

	if (len > 0) {
		p = malloc(len);
		if (p == NULL)
			return -ENOMEM;
		memcpy(p, src, len);
	}
	free(*dst);
	*dst = p;
	*dstlen = len;
	return 0;
}

static struct xnode *
node_dup(const struct xnode *src)
{
	struct xnode *n = node_new(src->h.key, &src->perms);

	if (n == NULL)
		return NULL;
	n->gen = src->gen;
	if (set_bytes(&n->data, &n->datalen, src->data, src->datalen) != 0 ||
	    set_bytes(&n->children, &n->childlen, src->children,
		      src->childlen) != 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* The record size C xenstored compares with its entry-size quota. */
static size_t
record_size(unsigned int nperms, unsigned int datalen, unsigned int childlen)
{
	return XSTORE_RECORD_HDR + (size_t)nperms * 8 + datalen + childlen;
}

static int
child_add(struct xnode *n, const char *base)
{
	size_t blen = strlen(base) + 1;
	char *c = realloc(n->children, n->childlen + blen);

	if (c == NULL)
		return -ENOMEM;
	memcpy(c + n->childlen, base, blen);
	n->children = c;
	n->childlen += blen;
	return 0;
}

static void
child_del(struct xnode *n, const char *base)
{
	unsigned int off = 0, l;

	while (off < n->childlen) {
		l = strlen(n->children + off) + 1;
		if (strcmp(n->children + off, base) == 0) {
			memmove(n->children + off, n->children + off + l,
				n->childlen - off - l);
			n->childlen -= l;
			return;
		}
		off += l;
	}
}

/* Parent path of <name> into <out> (same size); false for "/". */
static bool
parent_of(const char *name, char *out)
{
	const char *slash = strrchr(name, '/');
	size_t l;

	if (strcmp(name, "/") == 0 || slash == NULL)
		return false;
	l = slash == name ? 1 : (size_t)(slash - name);
	memmove(out, name, l);	/* out may be name itself */
	out[l] = '\0';
	return true;
}

static const char *
base_of(const char *name)
{
	return strrchr(name, '/') + 1;
}

/* ---- paths and permissions ---- */

int
xstore_canonicalize(unsigned int domid, const char *path, char *out,
		    size_t outlen)
{
	int n;

	if (path[0] == '/' || path[0] == '@')
		n = snprintf(out, outlen, "%s", path);
	else
		n = snprintf(out, outlen, "/local/domain/%u/%s", domid, path);
	if (n < 0 || (size_t)n >= outlen)
		return -EINVAL;
	return 0;
}

bool
xstore_valid_name(unsigned int domid, const char *name)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz"
				 "0123456789-/_@";
	size_t len = strlen(name);
	unsigned int id;
	int off = 0;

	if (name[0] != '/')
		return false;
	if (len > 1 && name[len - 1] == '/')
		return false;
	if (strstr(name, "//") != NULL)
		return false;
	if (len > XENSTORE_ABS_PATH_MAX)
		return false;
	/*
	 * As C xenstored 4.17: a guest's paths are limited to
	 * XENSTORE_REL_PATH_MAX below a domain's home, or in all.
	 */
	if (domid != 0) {
		if (sscanf(name, "/local/domain/%5u/%n", &id, &off) != 1)
			off = 0;
		if (len - off > XENSTORE_REL_PATH_MAX)
			return false;
	}
	return strspn(name, ok) == len;
}

bool
xstore_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	/* "/" would have to be "" for the prefix rule; it contains all. */
	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	if (strncmp(child, parent, len) != 0)
		return false;
	return child[len] == '/' || child[len] == '\0';
}

unsigned int
xstore_perm_for(unsigned int domid, const struct xstore_perms *perms)
{
	const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	unsigned int i;

	/* dom0 (the toolstack) and the owner get everything... */
	if (domid == 0 || perms->p[0].id == domid)
		return all;
	/* ...others the first entry naming them, else the owner's default. */
	for (i = 1; i < perms->num; i++)
		if (!(perms->p[i].perms & XS_PERM_IGNORE) &&
		    perms->p[i].id == domid)
			return perms->p[i].perms & all;
	return perms->p[0].perms & all;
}

int
xstore_perms_parse(const char *strings, size_t len, unsigned int num,
		   struct xs_permissions *out)
{
	const char *s = strings, *end = strings + len;
	unsigned long id;
	unsigned int i;
	char *e;

	for (i = 0; i < num; i++) {
		const char *nul = memchr(s, '\0', end - s);

		if (nul == NULL || nul - s < 2)
			return -EINVAL;
		switch (s[0]) {
		case 'n':
			out[i].perms = XS_PERM_NONE;
			break;
		case 'r':
			out[i].perms = XS_PERM_READ;
			break;
		case 'w':
			out[i].perms = XS_PERM_WRITE;
			break;
		case 'b':
			out[i].perms = XS_PERM_READ | XS_PERM_WRITE;
			break;
		default:
			return -EINVAL;
		}
		if (s[1] < '0' || s[1] > '9')
			return -EINVAL;
		errno = 0;
		id = strtoul(s + 1, &e, 10);
		/* Domain ids are 16 bits on the wire of every Xen interface. */
		if (errno != 0 || *e != '\0' || id > 0xFFFF)
			return -EINVAL;
		out[i].id = id;
		s = nul + 1;
	}
	return 0;
}

int
xstore_perm_format(const struct xs_permissions *perm, char *buf, size_t len)
{
	char c;
	int n;

	switch (perm->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
	case XS_PERM_NONE:
		c = 'n';
		break;
	case XS_PERM_READ:
		c = 'r';
		break;
	case XS_PERM_WRITE:
		c = 'w';
		break;
	default:
		c = 'b';
		break;
	}
	n = snprintf(buf, len, "%c%u", c, perm->id);
	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	return n;
}

/* ---- domains ---- */

static struct xdomain *
dom_find(const struct xstore *s, unsigned int domid)
{
	struct xdomain *d;

	TAILQ_FOREACH(d, &s->domains, link)
		if (d->domid == domid)
			return d;
	return NULL;
}

static struct xdomain *
dom_alloc(struct xstore *s, unsigned int domid)
{
	struct xdomain *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->domid = domid;
	d->gen = s->generation;
	TAILQ_INSERT_TAIL(&s->domains, d, link);
	return d;
}

static void
dom_forget(struct xstore *s, struct xdomain *d)
{
	TAILQ_REMOVE(&s->domains, d, link);
	free(d);
}

/*
 * The record of guest @domid (not dom0, not a reserved id) in *d, NULL if
 * none; -EINVAL if @domid is not a guest's.
 */
static int
dom_guest(const struct xstore *s, unsigned int domid, struct xdomain **d)
{
	if (domid == 0 || domid >= XSTORE_DOMID_FIRST_RESERVED)
		return -EINVAL;
	*d = dom_find(s, domid);
	return 0;
}

static int
dom_exists(struct xstore *s, unsigned int domid)
{
	if (s->ops.domain_exists == NULL)
		return 0;
	return s->ops.domain_exists(s->arg, domid) == 1;
}

/* Whether a permission naming <domid> is valid in a node of generation gen. */
static bool
dom_valid_for(const struct xstore *s, unsigned int domid, uint64_t gen)
{
	const struct xdomain *d;

	if (domid == 0)
		return true;
	d = dom_find(s, domid);
	return d != NULL && d->gen <= gen;
}

/*
 * Drops what a node's permissions say about domains that are gone (or are
 * a later domain with the same id): the owner becomes dom0, other entries
 * are ignored. Idempotent, so it is done in place on every read.
 */
static void
adjust_perms(const struct xstore *s, struct xnode *n)
{
	unsigned int i;

	if (!dom_valid_for(s, n->perms.p[0].id, n->gen))
		n->perms.p[0].id = 0;
	for (i = 1; i < n->perms.num; i++)
		if (!(n->perms.p[i].perms & XS_PERM_IGNORE) &&
		    !dom_valid_for(s, n->perms.p[i].id, n->gen))
			n->perms.p[i].perms |= XS_PERM_IGNORE;
}

/*
 * New permissions name domains: learn the existing ones, mark the others
 * ignored (C xenstored's domain_alloc_permrefs()).
 */
static int
alloc_permrefs(struct xstore *s, struct xstore_perms *p)
{
	unsigned int i;

	for (i = 0; i < p->num; i++) {
		unsigned int id = p->p[i].id;

		if (id == 0 || dom_find(s, id) != NULL)
			continue;
		if (dom_exists(s, id)) {
			if (dom_alloc(s, id) == NULL)
				return -ENOMEM;
		} else {
			p->p[i].perms |= XS_PERM_IGNORE;
		}
	}
	return 0;
}

static void
entries_add(struct xstore *s, const struct xstore_caller *c,
	    unsigned int owner, int delta)
{
	struct xstore_tx *tx = c->tx;
	struct xdomain *d;
	struct txdelta *nd;
	unsigned int i;

	if (tx != NULL) {
		for (i = 0; i < tx->ndeltas; i++) {
			if (tx->deltas[i].domid == owner) {
				tx->deltas[i].delta += delta;
				return;
			}
		}
		nd = realloc(tx->deltas, (tx->ndeltas + 1) * sizeof(*nd));
		if (nd == NULL) {
			tx->fail = true;
			return;
		}
		tx->deltas = nd;
		nd[tx->ndeltas].domid = owner;
		nd[tx->ndeltas].delta = delta;
		tx->ndeltas++;
		return;
	}
	d = dom_find(s, owner);
	if (d == NULL)
		return;
	if (delta < 0 && (unsigned int)-delta > d->nbentry)
		d->nbentry = 0;
	else
		d->nbentry += delta;
}

/* Nodes <domid> owns, counting what its transaction added or removed. */
static long
entries_of(const struct xstore *s, const struct xstore_caller *c)
{
	const struct xdomain *d = dom_find(s, c->domid);
	long n = d != NULL ? (long)d->nbentry : 0;
	unsigned int i;

	if (c->tx != NULL)
		for (i = 0; i < c->tx->ndeltas; i++)
			if (c->tx->deltas[i].domid == c->domid)
				n += c->tx->deltas[i].delta;
	return n;
}

/* ---- the view of a caller: the store, or its transaction's overlay ---- */

static struct txent *
tx_entry(struct xstore_tx *tx, const char *name, bool *created)
{
	struct txent *e = (struct txent *)ht_get(&tx->ents, name);

	*created = false;
	if (e != NULL)
		return e;
	if (tx->domid != 0 && tx->ents.count >= XSTORE_TX_MAX_ENTRIES)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->h.key = strdup(name);
	if (e->h.key == NULL) {
		free(e);
		return NULL;
	}
	e->gen = XSTORE_NO_GEN;
	ht_add(&tx->ents, &e->h);
	TAILQ_INSERT_TAIL(&tx->order, e, link);
	*created = true;
	return e;
}

/*
 * The node <name> as caller <c> sees it (*out NULL if absent). In a
 * transaction the first read takes a snapshot and records the generation
 * the commit must find again.
 */
static int
view_get(struct xstore *s, const struct xstore_caller *c, const char *name,
	 struct xnode **out)
{
	struct xnode *n = (struct xnode *)ht_get(&s->nodes, name);
	struct txent *e;
	bool created;

	if (c->tx != NULL) {
		e = (struct txent *)ht_get(&c->tx->ents, name);
		if (e != NULL) {
			*out = e->node;
			return 0;
		}
	}
	if (n != NULL)
		adjust_perms(s, n);
	if (c->tx == NULL) {
		*out = n;
		return 0;
	}
	e = tx_entry(c->tx, name, &created);
	if (e == NULL)
		return -ENOMEM;
	e->check_gen = true;
	e->gen = n != NULL ? n->gen : XSTORE_NO_GEN;
	if (n != NULL) {
		e->node = node_dup(n);
		if (e->node == NULL) {
			c->tx->fail = true;
			return -ENOMEM;
		}
	}
	*out = e->node;
	return 0;
}

/*
 * Stores <n> (a fresh node, now owned by the view) as the node of <name>,
 * or deletes <name> (n NULL): in the caller's transaction if it has one,
 * else in the store. Either way a new generation.
 */
static int
view_set(struct xstore *s, const struct xstore_caller *c, const char *name,
	 struct xnode *n)
{
	struct txent *e;
	bool created;

	if (n != NULL)
		n->gen = s->generation;
	s->generation++;
	if (c->tx != NULL) {
		e = tx_entry(c->tx, name, &created);
		if (e == NULL) {
			node_free(n);
			c->tx->fail = true;
			return -ENOMEM;
		}
		node_free(e->node);
		e->node = n;
		e->modified = true;
		return 0;
	}
	node_free((struct xnode *)ht_del(&s->nodes, name));
	if (n != NULL)
		ht_add(&s->nodes, &n->h);
	return 0;
}

/* Stores <n> as the node of its name. */
static int
view_put(struct xstore *s, const struct xstore_caller *c, struct xnode *n)
{
	return view_set(s, c, n->h.key, n);
}

static int
view_del(struct xstore *s, const struct xstore_caller *c, const char *name)
{
	return view_set(s, c, name, NULL);
}

static void
fire(struct xstore *s, const struct xstore_caller *c, const char *name,
     bool exact, const struct xstore_perms *perms)
{
	struct txev *ev;

	if (c->tx == NULL) {
		if (s->ops.fire != NULL)
			s->ops.fire(s->arg, name, exact, perms);
		return;
	}
	/* During a transaction, events wait for the commit. */
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL || (ev->name = strdup(name)) == NULL ||
	    (perms != NULL && perms_copy(&ev->perms, perms) != 0)) {
		if (ev != NULL)
			free(ev->name);
		free(ev);
		c->tx->fail = true;
		return;
	}
	ev->exact = exact;
	TAILQ_INSERT_TAIL(&c->tx->events, ev, link);
}

/*
 * The nearest existing ancestor decides what a caller may learn about a
 * node it cannot reach: without <want> there it gets EACCES whatever the
 * node's state (C xenstored's errno_from_parents()).
 */
static int
errno_from_parents(struct xstore *s, const struct xstore_caller *c,
		   const char *name, int err, unsigned int want)
{
	char *p = strdup(name);
	struct xnode *n = NULL;
	int rc;

	if (p == NULL)
		return -ENOMEM;
	while (parent_of(p, p)) {
		rc = view_get(s, c, p, &n);
		if (rc != 0) {
			free(p);
			return rc;
		}
		if (n != NULL)
			break;
	}
	free(p);
	if (n == NULL)
		return -EACCES;
	return (xstore_perm_for(c->domid, &n->perms) & want) ? err : -EACCES;
}

static int
get_node(struct xstore *s, const struct xstore_caller *c, const char *name,
	 unsigned int want, struct xnode **out)
{
	struct xnode *n;
	int rc;

	*out = NULL;
	if (!xstore_valid_name(c->domid, name))
		return -EINVAL;
	rc = view_get(s, c, name, &n);
	if (rc != 0)
		return rc;
	if (n != NULL) {
		if ((xstore_perm_for(c->domid, &n->perms) & want) == want) {
			*out = n;
			return 0;
		}
		rc = -EACCES;
	} else {
		rc = -ENOENT;
	}
	return errno_from_parents(s, c, name, rc, want);
}

/*
 * Creates <name> and its missing ancestors. Each new node inherits its
 * parent's permissions; an unprivileged creator becomes the owner
 * (C xenstored's construct_node()). Quotas are checked before anything is
 * changed, so a refused request leaves nothing behind.
 */
static int
create_node(struct xstore *s, const struct xstore_caller *c, const char *name,
	    const void *data, unsigned int len)
{
	bool unpriv = c->domid != 0;
	struct xnode *anc = NULL, *cur, *nn, *pc;
	unsigned int missing = 1;
	size_t nlen = strlen(name), pos, start;
	char *buf;
	int rc;

	buf = strdup(name);
	if (buf == NULL)
		return -ENOMEM;
	/* Find the nearest existing ancestor. */
	while (parent_of(buf, buf)) {
		rc = view_get(s, c, buf, &anc);
		if (rc != 0)
			goto out;
		if (anc != NULL)
			break;
		missing++;
	}
	rc = -EIO;			/* no root: corrupt store */
	if (anc == NULL)
		goto out;
	/* Where the first missing component starts in name. */
	start = strcmp(buf, "/") == 0 ? 1 : strlen(buf) + 1;
	rc = -ENOSPC;
	if (unpriv) {
		if (entries_of(s, c) + missing > XSTORE_QUOTA_ENTRIES_PER_DOMAIN)
			goto out;
		if (record_size(anc->perms.num, len, 0) >=
		    XSTORE_QUOTA_ENTRY_SIZE)
			goto out;
		if (record_size(anc->perms.num, anc->datalen,
				anc->childlen + strcspn(name + start, "/") + 1)
		    >= XSTORE_QUOTA_ENTRY_SIZE)
			goto out;
	}
	/* Create top-down below the ancestor. */
	cur = anc;
	for (pos = start; ; pos++) {	/* pos++ skips the '/' */
		pos += strcspn(name + pos, "/");
		memcpy(buf, name, pos);
		buf[pos] = '\0';

		rc = -ENOMEM;
		nn = node_new(buf, &cur->perms);
		pc = node_dup(cur);
		if (nn == NULL || pc == NULL || child_add(pc, base_of(buf))) {
			node_free(nn);
			node_free(pc);
			if (c->tx != NULL)
				c->tx->fail = true;
			goto out;
		}
		if (unpriv)
			nn->perms.p[0].id = c->domid;
		if (pos == nlen &&
		    set_bytes(&nn->data, &nn->datalen, data, len) != 0) {
			node_free(nn);
			node_free(pc);
			goto out;
		}
		/* view_put() frees the old version of the parent (cur). */
		rc = view_put(s, c, pc);
		if (rc == 0) {
			entries_add(s, c, nn->perms.p[0].id, 1);
			rc = view_put(s, c, nn);
		} else {
			node_free(nn);
		}
		if (rc != 0)
			goto out;
		cur = nn;
		if (pos == nlen)
			break;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* ---- node operations ---- */

int
xstore_read(struct xstore *s, const struct xstore_caller *c, const char *name,
	    const char **data, unsigned int *len)
{
	struct xnode *n;
	int rc = get_node(s, c, name, XS_PERM_READ, &n);

	if (rc != 0)
		return rc;
	*data = n->data != NULL ? n->data : "";
	*len = n->datalen;
	return 0;
}

int
xstore_write(struct xstore *s, const struct xstore_caller *c,
	     const char *name, const void *data, unsigned int len)
{
	struct xnode *n, *nn;
	int rc = get_node(s, c, name, XS_PERM_WRITE, &n);

	if (rc == -ENOENT) {
		rc = create_node(s, c, name, data, len);
	} else if (rc == 0) {
		if (c->domid != 0 &&
		    record_size(n->perms.num, len, n->childlen) >=
		    XSTORE_QUOTA_ENTRY_SIZE)
			return -ENOSPC;
		nn = node_dup(n);
		if (nn == NULL ||
		    set_bytes(&nn->data, &nn->datalen, data, len) != 0) {
			node_free(nn);
			return -ENOMEM;
		}
		rc = view_put(s, c, nn);
	}
	if (rc != 0)
		return rc;
	fire(s, c, name, false, NULL);
	return 0;
}

int
xstore_mkdir(struct xstore *s, const struct xstore_caller *c, const char *name)
{
	struct xnode *n;
	int rc = get_node(s, c, name, XS_PERM_WRITE, &n);

	/* An existing node is fine, and changes nothing. */
	if (rc != -ENOENT)
		return rc;
	rc = create_node(s, c, name, NULL, 0);
	if (rc != 0)
		return rc;
	fire(s, c, name, false, NULL);
	return 0;
}

/*
 * Removes <name> and everything below it, children first. Watches on a
 * removed descendant fire for exactly that path; the top node fires last,
 * for watches on it or above (C xenstored 4.17's delnode_sub()).
 */
static int
delete_subtree(struct xstore *s, const struct xstore_caller *c,
	       const char *name, bool top)
{
	struct xstore_perms perms = { 0, NULL };
	unsigned int off, childlen;
	char *children = NULL, *cname;
	struct xnode *n;
	size_t l;
	int rc;

	rc = view_get(s, c, name, &n);
	if (rc != 0 || n == NULL)
		return rc;
	childlen = n->childlen;
	if (childlen > 0) {
		children = malloc(childlen);
		if (children == NULL)
			return -ENOMEM;
		memcpy(children, n->children, childlen);
	}
	for (off = 0; off < childlen; off += strlen(children + off) + 1) {
		l = strlen(name) + strlen(children + off) + 2;
		cname = malloc(l);
		if (cname == NULL) {
			free(children);
			return -ENOMEM;
		}
		snprintf(cname, l, "%s/%s", strcmp(name, "/") ? name : "",
			 children + off);
		rc = delete_subtree(s, c, cname, false);
		free(cname);
		if (rc != 0) {
			free(children);
			return rc;
		}
	}
	free(children);
	/* The children's removal did not change n; look it up again anyway. */
	rc = view_get(s, c, name, &n);
	if (rc != 0 || n == NULL)
		return rc;
	rc = perms_copy(&perms, &n->perms);
	if (rc != 0)
		return rc;
	fire(s, c, name, !top, &perms);
	entries_add(s, c, perms.p[0].id, -1);
	rc = view_del(s, c, name);
	perms_free(&perms);
	return rc;
}

int
xstore_rm(struct xstore *s, const struct xstore_caller *c, const char *name)
{
	char *pname = NULL;
	struct xnode *n, *p, *pc;
	int rc = get_node(s, c, name, XS_PERM_WRITE, &n);

	if (rc == -ENOENT || rc == 0) {
		pname = strdup(name);
		if (pname == NULL)
			return -ENOMEM;
		if (!parent_of(name, pname)) {
			free(pname);
			return rc == 0 ? -EINVAL : rc;	/* "/" */
		}
		rc = view_get(s, c, pname, &p);
		if (rc == 0 && n == NULL) {
			/* Not there: fine if the parent is (C xenstored). */
			rc = p != NULL ? 0 : -ENOENT;
			goto out;
		}
		if (rc != 0)
			goto out;
		rc = -EINVAL;
		if (p == NULL)
			goto out;
		rc = delete_subtree(s, c, name, true);
		if (rc != 0)
			goto out;
		rc = view_get(s, c, pname, &p);
		if (rc != 0 || p == NULL)
			goto out;
		pc = node_dup(p);
		if (pc == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		child_del(pc, base_of(name));
		rc = view_put(s, c, pc);
	}
out:
	free(pname);
	return rc;
}

int
xstore_directory(struct xstore *s, const struct xstore_caller *c,
		 const char *name, const char **children, unsigned int *len,
		 uint64_t *gen)
{
	struct xnode *n;
	int rc = get_node(s, c, name, XS_PERM_READ, &n);

	if (rc != 0)
		return rc;
	*children = n->children != NULL ? n->children : "";
	*len = n->childlen;
	*gen = n->gen;
	return 0;
}

static struct xstore_perms *
special_perms(struct xstore *s, const char *name)
{
	if (strcmp(name, XSTORE_RELEASE_DOMAIN) == 0)
		return &s->release_perms;
	if (strcmp(name, XSTORE_INTRODUCE_DOMAIN) == 0)
		return &s->introduce_perms;
	return NULL;
}

int
xstore_get_perms(struct xstore *s, const struct xstore_caller *c,
		 const char *name, struct xstore_perms *perms)
{
	struct xstore_perms *sp;
	struct xnode *n;
	int rc;

	if (name[0] == '@') {
		sp = special_perms(s, name);
		if (sp == NULL)
			return -EINVAL;
		if (!(xstore_perm_for(c->domid, sp) & XS_PERM_READ))
			return -EACCES;
		*perms = *sp;
		return 0;
	}
	rc = get_node(s, c, name, XS_PERM_READ, &n);
	if (rc != 0)
		return rc;
	*perms = n->perms;
	return 0;
}

int
xstore_set_perms(struct xstore *s, const struct xstore_caller *c,
		 const char *name, const struct xstore_perms *perms)
{
	struct xstore_perms np, old = { 0, NULL }, *sp;
	struct xnode *n, *nn;
	int rc;

	if (perms->num < 1)
		return -EINVAL;
	if (c->domid != 0 && perms->num > XSTORE_QUOTA_PERMS_PER_NODE)
		return -ENOSPC;
	rc = perms_copy(&np, perms);
	if (rc != 0)
		return rc;
	if (name[0] == '@') {
		sp = special_perms(s, name);
		rc = -EINVAL;
		if (sp == NULL)
			goto fail;
		rc = -EACCES;
		if ((xstore_perm_for(c->domid, sp) &
		     (XS_PERM_WRITE | XS_PERM_OWNER)) !=
		    (XS_PERM_WRITE | XS_PERM_OWNER))
			goto fail;
		perms_free(sp);
		*sp = np;
		return 0;
	}
	/* The owner (or dom0) may do this. */
	rc = get_node(s, c, name, XS_PERM_WRITE | XS_PERM_OWNER, &n);
	if (rc != 0)
		goto fail;
	/* Unprivileged domains may not give their nodes away. */
	rc = -EPERM;
	if (c->domid != 0 && np.p[0].id != n->perms.p[0].id)
		goto fail;
	rc = -ENOSPC;
	if (c->domid != 0 &&
	    record_size(np.num, n->datalen, n->childlen) >=
	    XSTORE_QUOTA_ENTRY_SIZE)
		goto fail;
	rc = alloc_permrefs(s, &np);
	if (rc != 0)
		goto fail;
	rc = perms_copy(&old, &n->perms);
	if (rc != 0)
		goto fail;
	nn = node_dup(n);
	rc = -ENOMEM;
	if (nn == NULL)
		goto fail;
	perms_free(&nn->perms);
	nn->perms = np;
	np.p = NULL;
	if (old.p[0].id != nn->perms.p[0].id) {
		entries_add(s, c, old.p[0].id, -1);
		entries_add(s, c, nn->perms.p[0].id, 1);
	}
	rc = view_put(s, c, nn);
	if (rc == 0)
		fire(s, c, name, false, &old);
fail:
	perms_free(&old);
	free(np.p);
	return rc;
}

/* ---- transactions ---- */

int
xstore_tx_start(struct xstore *s, unsigned int domid, struct xstore_tx **out)
{
	struct xstore_tx *tx = calloc(1, sizeof(*tx));

	if (tx == NULL)
		return -ENOMEM;
	if (ht_init(&tx->ents) != 0) {
		free(tx);
		return -ENOMEM;
	}
	TAILQ_INIT(&tx->order);
	TAILQ_INIT(&tx->events);
	tx->domid = domid;
	tx->gen = s->generation++;
	*out = tx;
	return 0;
}

static void
tx_free(struct xstore_tx *tx)
{
	struct txent *e;
	struct txev *ev;

	while ((e = TAILQ_FIRST(&tx->order)) != NULL) {
		TAILQ_REMOVE(&tx->order, e, link);
		node_free(e->node);
		free(e->h.key);
		free(e);
	}
	while ((ev = TAILQ_FIRST(&tx->events)) != NULL) {
		TAILQ_REMOVE(&tx->events, ev, link);
		perms_free(&ev->perms);
		free(ev->name);
		free(ev);
	}
	free(tx->ents.b);
	free(tx->deltas);
	free(tx);
}

/*
 * Commit: every node the transaction read must still have the generation
 * it read (or still be absent), else -EAGAIN and nothing is applied. Then
 * the modified nodes replace the store's, with new generations, and the
 * held-back watch events fire.
 */
int
xstore_tx_end(struct xstore *s, struct xstore_tx *tx, bool commit)
{
	const struct xnode *cur;
	struct xdomain *d;
	struct txent *e;
	struct txev *ev;
	unsigned int i;
	int rc = 0;

	if (!commit)
		goto out;
	rc = -ENOMEM;
	if (tx->fail)
		goto out;
	rc = -EAGAIN;
	TAILQ_FOREACH(e, &tx->order, link) {
		if (!e->check_gen)
			continue;
		cur = (const struct xnode *)ht_get(&s->nodes, e->h.key);
		if ((cur != NULL ? cur->gen : XSTORE_NO_GEN) != e->gen)
			goto out;
	}
	rc = -ENOSPC;
	for (i = 0; i < tx->ndeltas; i++) {
		d = dom_find(s, tx->deltas[i].domid);
		if (d == NULL || d->domid == 0 || tx->deltas[i].delta <= 0)
			continue;
		if ((long)d->nbentry + tx->deltas[i].delta >=
		    (long)XSTORE_QUOTA_ENTRIES_PER_DOMAIN)
			goto out;
	}
	/* Nothing below can fail: the tx's nodes move into the store. */
	TAILQ_FOREACH(e, &tx->order, link) {
		if (!e->modified)
			continue;
		node_free((struct xnode *)ht_del(&s->nodes, e->h.key));
		if (e->node != NULL) {
			e->node->gen = s->generation++;
			ht_add(&s->nodes, &e->node->h);
			e->node = NULL;
		}
	}
	for (i = 0; i < tx->ndeltas; i++) {
		d = dom_find(s, tx->deltas[i].domid);
		if (d == NULL)
			continue;
		if (tx->deltas[i].delta < 0 &&
		    (unsigned int)-tx->deltas[i].delta > d->nbentry)
			d->nbentry = 0;
		else
			d->nbentry += tx->deltas[i].delta;
	}
	TAILQ_FOREACH(ev, &tx->events, link)
		if (s->ops.fire != NULL)
			s->ops.fire(s->arg, ev->name, ev->exact,
				    ev->perms.num > 0 ? &ev->perms : NULL);
	rc = 0;
out:
	tx_free(tx);
	return rc;
}

/* ---- domains ---- */

int
xstore_domain_introduce(struct xstore *s, unsigned int domid)
{
	struct xdomain *d;

	if (dom_guest(s, domid, &d) != 0)
		return -EINVAL;
	if (d != NULL && d->introduced)
		return 0;
	if (d == NULL) {
		if (s->ops.domain_exists != NULL && !dom_exists(s, domid))
			return -ENOENT;
		d = dom_alloc(s, domid);
		if (d == NULL)
			return -ENOMEM;
	}
	d->introduced = true;
	return 1;
}

int
xstore_domain_release(struct xstore *s, unsigned int domid)
{
	struct xdomain *d;

	if (dom_guest(s, domid, &d) != 0)
		return -EINVAL;
	if (d == NULL || !d->introduced) {
		/* A domain known from permissions only: forget it once gone. */
		if (d != NULL && !dom_exists(s, domid))
			dom_forget(s, d);
		return -ENOENT;
	}
	dom_forget(s, d);
	return 0;
}

bool
xstore_domain_introduced(const struct xstore *s, unsigned int domid)
{
	const struct xdomain *d = dom_find(s, domid);

	return d != NULL && d->introduced;
}

unsigned int
xstore_domain_list(const struct xstore *s, unsigned int *ids, unsigned int max)
{
	const struct xdomain *d;
	unsigned int n = 0, i, j, t;

	TAILQ_FOREACH(d, &s->domains, link) {
		if (!d->introduced)
			continue;
		if (n < max)
			ids[n] = d->domid;
		n++;
	}
	/* Insertion sort: a handful of domains. */
	for (i = 1; i < n && i < max; i++) {
		t = ids[i];
		for (j = i; j > 0 && ids[j - 1] > t; j--)
			ids[j] = ids[j - 1];
		ids[j] = t;
	}
	return n;
}

bool
xstore_watch_permitted(struct xstore *s, unsigned int domid, const char *name,
		       const struct xstore_perms *perms)
{
	const struct xstore_perms *np = perms;
	struct xstore_perms *sp;
	struct xnode *n;
	char *pname;
	bool ok = false;

	if (name[0] == '@') {
		sp = special_perms(s, name);
		return sp != NULL &&
		       (xstore_perm_for(domid, sp) & XS_PERM_READ);
	}
	if (perms != NULL && (xstore_perm_for(domid, perms) & XS_PERM_READ))
		return true;
	n = (struct xnode *)ht_get(&s->nodes, name);
	if (n != NULL) {
		adjust_perms(s, n);
		np = &n->perms;
	}
	if (np == NULL)
		return false;
	if (xstore_perm_for(domid, np) & XS_PERM_READ)
		return true;
	pname = strdup(name);
	if (pname != NULL && parent_of(name, pname)) {
		n = (struct xnode *)ht_get(&s->nodes, pname);
		if (n != NULL) {
			adjust_perms(s, n);
			ok = xstore_perm_for(domid, &n->perms) & XS_PERM_READ;
		}
	}
	free(pname);
	return ok;
}

size_t
xstore_node_count(const struct xstore *s)
{
	return s->nodes.count;
}

/* Walks the tree from <name>: every listed child exists, once. */
static int
check_walk(struct xstore *s, const char *name, size_t *seen, unsigned int depth)
{
	const struct xnode *n = (const struct xnode *)ht_get(&s->nodes, name);
	unsigned int off, off2;
	char *cname;
	size_t l;
	int rc;

	if (n == NULL || depth > XENSTORE_ABS_PATH_MAX / 2)
		return -EIO;
	(*seen)++;
	if (n->childlen > 0 && n->children[n->childlen - 1] != '\0')
		return -EIO;
	for (off = 0; off < n->childlen; off += strlen(n->children + off) + 1) {
		for (off2 = 0; off2 < off;
		     off2 += strlen(n->children + off2) + 1)
			if (strcmp(n->children + off2, n->children + off) == 0)
				return -EIO;
		l = strlen(name) + strlen(n->children + off) + 2;
		cname = malloc(l);
		if (cname == NULL)
			return -ENOMEM;
		snprintf(cname, l, "%s/%s", strcmp(name, "/") ? name : "",
			 n->children + off);
		rc = check_walk(s, cname, seen, depth + 1);
		free(cname);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
xstore_check(struct xstore *s)
{
	size_t seen = 0;
	int rc = check_walk(s, "/", &seen, 0);

	if (rc != 0)
		return rc;
	/* Nothing unreachable. */
	return seen == s->nodes.count ? 0 : -EIO;
}

/* ---- life cycle ---- */

static int
perms_default(struct xstore_perms *p)
{
	p->p = calloc(1, sizeof(*p->p));
	if (p->p == NULL)
		return -ENOMEM;
	p->num = 1;
	p->p[0].id = 0;
	p->p[0].perms = XS_PERM_NONE;
	return 0;
}

/* The nodes C xenstored creates at start: "/", "/tool", "/tool/xenstored". */
static int
initial_nodes(struct xstore *s)
{
	static const char *const names[] = { "/", "/tool", "/tool/xenstored" };
	const struct xstore_caller dom0 = { 0, NULL };
	struct xstore_perms none;
	struct xnode *n;
	unsigned int i;
	int rc = perms_default(&none);

	if (rc != 0)
		return rc;
	n = node_new("/", &none);
	perms_free(&none);
	if (n == NULL)
		return -ENOMEM;
	view_put(s, &dom0, n);
	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = create_node(s, &dom0, names[i], NULL, 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct xstore *
xstore_create(const struct xstore_ops *ops, void *arg)
{
	struct xstore *s = calloc(1, sizeof(*s));
	struct xdomain *d;

	if (s == NULL)
		return NULL;
	TAILQ_INIT(&s->domains);
	if (ops != NULL)
		s->ops = *ops;
	s->arg = arg;
	if (ht_init(&s->nodes) != 0)
		goto fail;
	/* Domain 0 is the toolstack's: introduced from the start. */
	d = dom_alloc(s, 0);
	if (d == NULL)
		goto fail;
	d->introduced = true;
	if (perms_default(&s->release_perms) != 0 ||
	    perms_default(&s->introduce_perms) != 0 ||
	    initial_nodes(s) != 0)
		goto fail;
	return s;
fail:
	xstore_destroy(s);
	return NULL;
}

void
xstore_destroy(struct xstore *s)
{
	struct xdomain *d;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->nodes.b != NULL && i < s->nodes.nb; i++) {
		while (s->nodes.b[i] != NULL) {
			struct hentry *e = s->nodes.b[i];

			s->nodes.b[i] = e->next;
			node_free((struct xnode *)e);
		}
	}
	free(s->nodes.b);
	while ((d = TAILQ_FIRST(&s->domains)) != NULL)
		dom_forget(s, d);
	perms_free(&s->release_perms);
	perms_free(&s->introduce_perms);
	free(s);
}
