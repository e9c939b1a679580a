/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core: grant tables, the layer on event channels and the domain
 * (xenemu_gnttab.h). It owns grant entries, the active table (pins), the
 * page and ref allocators, grant copy, maps with their records, shares, and
 * registers close hooks with the domain layer (the end of this file) to
 * undo what closed handles, dead processes and destroyed domains held.
 *
 * Two roles meet here. The granting side does what a guest kernel and Linux
 * gntalloc do: allocate pages of its domain, fill v1 grant entries, end
 * access. The mapping/copying side does what Xen does on
 * GNTTABOP_map_grant_ref and GNTTABOP_copy, as seen through Linux gntdev:
 * check the entry, pin it in the active table, reach the page.
 *
 * Checks and results (Xen 4.17 grant_table.c, Linux gntdev, measured on
 * real Xen for the cases in BLUEPRINT.md section 5):
 *   granting domain absent or destroyed      GNTST_bad_domain
 *   ref >= the domain's table size           GNTST_bad_gntref
 *   entry not GTF_permit_access, granted to
 *   another domain, read-only for a write,
 *   or its access being ended                GNTST_general_error
 *   frame not an allocated page of granter   GNTST_bad_page
 *   copy segment with neither side a grant,
 *   or offset + len past a granted page      the whole call fails, EINVAL
 *   a map of which any grant fails           EINVAL (gntdev's mmap)
 *
 * Known differences from Xen/Linux (documented in doc/xenemu.rst):
 * GTF_reading/GTF_writing are not set in the entries (the pins live in the
 * active table only); a grant whose access has been ended cannot be pinned
 * again even while earlier pins keep it alive; closing a handle unmaps and
 * unshares what it still has mapped (Linux keeps such mappings until munmap).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xenemu_evtchn.h"
#include "xenemu_gnttab.h"

#define PAGE            XENEMU_PAGE_SIZE

/*
 * A mapping of this process made by one handle: a grant map (gnttab
 * handle) or a share (gntshr handle). The per-page array says what each
 * page of the range is.
 */
struct xenemu_mpage {
	struct xenemu_dom *dom;         /* gnttab: the granting domain's view */
	uint32_t ref;                   /* the grant */
	uint32_t frame;                 /* page of the granting domain */
	uint32_t rec;                   /* gnttab: index of its map record */
	bool live;                      /* gntshr: not unshared yet */
};

struct xenemu_mapping {
	struct xenemu_mapping *next;
	uint8_t *addr;
	uint32_t count;
	uint32_t nr_live;               /* gntshr: pages not unshared yet */
	uint32_t notify_flags;          /* gnttab: XENEMU_NOTIFY_* */
	uint32_t notify_offset;         /* gnttab: from addr */
	uint32_t notify_port;
	struct xenemu_mpage pg[];
};

/* --- grant entries and the active table ------------------------------------- */

static inline struct grant_entry_v1
entry_load(struct xenemu_dom *d, uint32_t ref)
{
	uint64_t raw = __atomic_load_n(&d->gnttab[ref], __ATOMIC_SEQ_CST);
	struct grant_entry_v1 e;

	memcpy(&e, &raw, sizeof(e));
	return e;
}

static inline void
entry_store(struct xenemu_dom *d, uint32_t ref, uint16_t flags, uint16_t domid,
	    uint32_t frame)
{
	struct grant_entry_v1 e = { .flags = flags, .domid = domid, .frame = frame };
	uint64_t raw;

	memcpy(&raw, &e, sizeof(raw));
	/* Release: the page contents and the frame are visible before any
	 * mapper can see the flags that let it in (Linux writes frame and
	 * domid, then a write barrier, then flags; one 64-bit store does
	 * both here). */
	__atomic_store_n(&d->gnttab[ref], raw, __ATOMIC_SEQ_CST);
}

static inline bool
page_allocated(struct xenemu_dom *d, uint32_t frame)
{
	uint64_t w = __atomic_load_n(&d->page_map[frame / 64], __ATOMIC_ACQUIRE);

	return (w >> (frame % 64)) & 1;
}

/*
 * Retire a grant whose access was ended and whose last pin is gone, once:
 * the caller that wins REVOKING -> REVOKING|CLAIMED clears the entry, frees
 * its page (if the page is still the one this grant shared and its sharer
 * let it go) and last frees the ref, so nobody reuses the ref before the
 * rest is done.
 */
static void
retire(struct xenemu_dom *d, uint32_t ref)
{
	uint32_t expect = XENEMU_ACT_REVOKING;
	struct grant_entry_v1 e;
	struct xenemu_page *pm;

	if (!__atomic_compare_exchange_n(&d->active[ref], &expect,
					 XENEMU_ACT_REVOKING | XENEMU_ACT_CLAIMED,
					 false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return;
	e = entry_load(d, ref);
	__atomic_store_n(&d->gnttab[ref], 0, __ATOMIC_SEQ_CST);
	if (e.frame < d->max_pages) {
		pm = &d->page_meta[e.frame];
		if (__atomic_load_n(&pm->ref, __ATOMIC_ACQUIRE) == ref &&
		    __atomic_load_n(&pm->owner, __ATOMIC_ACQUIRE) == 0) {
			__atomic_store_n(&pm->ref, 0, __ATOMIC_RELAXED);
			__atomic_fetch_and(&d->page_map[e.frame / 64],
					   ~(1ull << (e.frame % 64)), __ATOMIC_RELEASE);
		}
	}
	/* Transient pins of callers that saw REVOKING stay counted: they
	 * drop them themselves. */
	__atomic_fetch_and(&d->active[ref], ~(XENEMU_ACT_REVOKING | XENEMU_ACT_CLAIMED),
			   __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&d->ref_map[ref / 64], ~(1ull << (ref % 64)),
			   __ATOMIC_RELEASE);
}

void
xenemu_gnt_unpin(struct xenemu_dom *d, uint32_t ref)
{
	uint32_t a = __atomic_sub_fetch(&d->active[ref], 1, __ATOMIC_SEQ_CST);

	if (XENEMU_UNLIKELY(a == XENEMU_ACT_REVOKING))
		retire(d, ref);
}

int16_t
xenemu_gnt_pin(struct xenemu_dom *d, uint16_t caller, uint32_t ref, bool write,
	       uint32_t *frame)
{
	struct grant_entry_v1 e;
	uint32_t a;

	if (XENEMU_UNLIKELY(ref >= d->max_grants))
		return GNTST_bad_gntref;
	/*
	 * Pin first, then read the entry (both sequentially consistent): the
	 * granter ends access by setting REVOKING and then looking at the
	 * pins, so either it sees this pin and leaves the grant alive, or
	 * this side sees REVOKING and backs off. Never both missed.
	 */
	a = __atomic_fetch_add(&d->active[ref], 1, __ATOMIC_SEQ_CST);
	if (XENEMU_UNLIKELY((a & (XENEMU_ACT_REVOKING | XENEMU_ACT_CLAIMED)) != 0 ||
			    (a & XENEMU_ACT_PINS) >= XENEMU_ACT_PINS - 1)) {
		xenemu_gnt_unpin(d, ref);
		return GNTST_general_error;
	}
	e = entry_load(d, ref);
	if (XENEMU_UNLIKELY((e.flags & GTF_type_mask) != GTF_permit_access ||
			    e.domid != caller ||
			    (write && (e.flags & GTF_readonly) != 0))) {
		xenemu_gnt_unpin(d, ref);
		return GNTST_general_error;
	}
	if (XENEMU_UNLIKELY(e.frame >= d->max_pages || !page_allocated(d, e.frame))) {
		xenemu_gnt_unpin(d, ref);
		return GNTST_bad_page;
	}
	*frame = e.frame;
	return GNTST_okay;
}

void
xenemu_gnt_end_access(struct xenemu_dom *d, uint32_t ref)
{
	uint32_t a;

	if (ref >= d->max_grants)
		return;
	a = __atomic_fetch_or(&d->active[ref], XENEMU_ACT_REVOKING, __ATOMIC_SEQ_CST);
	if ((a & XENEMU_ACT_REVOKING) == 0 && (a & XENEMU_ACT_PINS) == 0)
		retire(d, ref);
	/* Otherwise the last unpin retires it (Linux's deferred end of
	 * foreign access, without the polling). */
}

/* --- grant copy: the backend's hot path ---------------------------------------- */

/* A pinned grant kept across consecutive segments, like Xen's copy buffers. */
struct copy_buf {
	struct xenemu_dom *dom;
	uint8_t *page;
	uint32_t ref;
	bool write;
};

static inline void
copy_buf_release(struct copy_buf *b)
{
	if (b->dom != NULL) {
		xenemu_gnt_unpin(b->dom, b->ref);
		b->dom = NULL;
	}
}

static inline int16_t
copy_buf_claim(struct xenemu_ctx *c, struct copy_buf *b, uint16_t domid,
	       uint32_t ref, bool write)
{
	struct xenemu_dom *d;
	uint32_t frame;
	int16_t st;

	if (b->dom != NULL && b->dom->domid == domid && b->ref == ref &&
	    (b->write || !write) && !xenemu_dom_dead(b->dom))
		return GNTST_okay;
	copy_buf_release(b);
	d = xenemu_ctx_dom(c, domid == DOMID_SELF ? c->self->domid : domid);
	if (XENEMU_UNLIKELY(d == NULL))
		return GNTST_bad_domain;
	st = xenemu_gnt_pin(d, c->self->domid, ref, write, &frame);
	if (XENEMU_UNLIKELY(st != GNTST_okay))
		return st;
	b->dom = d;
	b->ref = ref;
	b->write = write;
	b->page = d->pages + (size_t)frame * PAGE;
	return GNTST_okay;
}

/* One end of a copy segment, checked as gntdev checks it: 0, or the errno
 * that fails the whole call. */
static inline int
copy_end_check(const union xengnttab_copy_ptr *p, bool gref, uint16_t len)
{
	if (gref)
		return XENEMU_UNLIKELY((uint32_t)p->foreign.offset + len > PAGE) ?
		       -EINVAL : 0;
	return XENEMU_UNLIKELY(p->virt == NULL && len != 0) ? -EFAULT : 0;
}

/*
 * Where one end of a checked, non-empty segment is: the caller's buffer, or
 * the granted page pinned in <b>. NULL with the grant's status in *st if
 * it cannot be pinned.
 */
static inline uint8_t *
copy_end_addr(struct xenemu_ctx *c, struct copy_buf *b,
	      const union xengnttab_copy_ptr *p, bool gref, bool write,
	      int16_t *st)
{
	if (!gref)
		return p->virt;
	*st = copy_buf_claim(c, b, p->foreign.domid, p->foreign.ref, write);
	if (XENEMU_UNLIKELY(*st != GNTST_okay))
		return NULL;
	return b->page + p->foreign.offset;
}

int
xenemu_gnt_copy(struct xenemu_ctx *c, uint32_t count,
		xengnttab_grant_copy_segment_t *segs)
{
	struct copy_buf src = { .dom = NULL }, dst = { .dom = NULL };
	xengnttab_grant_copy_segment_t *seg;
	bool src_gref, dst_gref;
	const uint8_t *from;
	uint8_t *to;
	uint32_t i;
	int16_t st = GNTST_okay;
	int rc = 0;

	if (count != 0 && segs == NULL)
		return -EFAULT;
	/*
	 * One pass: each segment is checked as gntdev checks it, then done
	 * at once. As with gntdev, a segment gntdev refuses fails the whole
	 * call with EINVAL; segments before it may have been done.
	 */
	for (i = 0; i < count; i++) {
		seg = &segs[i];
		src_gref = (seg->flags & GNTCOPY_source_gref) != 0;
		dst_gref = (seg->flags & GNTCOPY_dest_gref) != 0;
		if (XENEMU_UNLIKELY(!src_gref && !dst_gref)) {
			rc = -EINVAL;
			break;
		}
		rc = copy_end_check(&seg->source, src_gref, seg->len);
		if (rc == 0)
			rc = copy_end_check(&seg->dest, dst_gref, seg->len);
		if (XENEMU_UNLIKELY(rc != 0))
			break;

		/* gntdev does nothing for an empty segment: okay, unchecked. */
		if (XENEMU_UNLIKELY(seg->len == 0)) {
			seg->status = GNTST_okay;
			continue;
		}
		from = copy_end_addr(c, &src, &seg->source, src_gref, false, &st);
		to = from == NULL ? NULL :
		     copy_end_addr(c, &dst, &seg->dest, dst_gref, true, &st);
		if (XENEMU_UNLIKELY(to == NULL)) {
			seg->status = st;
			continue;
		}
		memmove(to, from, seg->len);
		seg->status = GNTST_okay;
	}
	copy_buf_release(&src);
	copy_buf_release(&dst);
	return rc;
}

/* --- allocators (under the domain mutex; frees are lock-free) ------------------- */

/* Take one clear bit of <map>, searching from *hint. Index, or -1. */
static int64_t
bitmap_take(uint64_t *map, uint32_t n, uint32_t *hint)
{
	uint32_t words = (n + 63) / 64, start, i, w, bit;
	uint64_t v, old;

	if (words == 0)
		return -1;
	start = (*hint / 64) % words;
	for (i = 0; i < words; i++) {
		w = (start + i) % words;
		v = __atomic_load_n(&map[w], __ATOMIC_ACQUIRE);
		while (v != ~0ull) {
			bit = (uint32_t)__builtin_ctzll(~v);
			old = __atomic_fetch_or(&map[w], 1ull << bit, __ATOMIC_ACQ_REL);
			if ((old & (1ull << bit)) == 0) {
				*hint = w * 64 + bit + 1;
				return (int64_t)w * 64 + bit;
			}
			v = old | (1ull << bit);
		}
	}
	return -1;
}

static inline void
bitmap_put(uint64_t *map, uint32_t i)
{
	__atomic_fetch_and(&map[i / 64], ~(1ull << (i % 64)), __ATOMIC_RELEASE);
}

/*
 * Take <count> consecutive clear bits (first fit). Bits only go from set to
 * clear behind our back (lock-free frees), so a run seen clear stays so.
 * Start index, or -1.
 */
static int64_t
bitmap_take_run(uint64_t *map, uint32_t n, uint32_t count)
{
	uint32_t i = 0, run = 0, j;
	uint64_t w;

	while (i < n) {
		w = __atomic_load_n(&map[i / 64], __ATOMIC_ACQUIRE);
		if (i % 64 == 0 && w == ~0ull) {
			run = 0;
			i += 64;
			continue;
		}
		if ((w >> (i % 64)) & 1) {
			run = 0;
		} else if (++run == count) {
			uint32_t first = i + 1 - count;

			for (j = first; j <= i; j++)
				__atomic_fetch_or(&map[j / 64], 1ull << (j % 64),
						  __ATOMIC_ACQ_REL);
			return first;
		}
		i++;
	}
	return -1;
}

/* --- mapping helpers ---------------------------------------------------------- */

static uint8_t *
reserve_range(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Map pages [from, to) of mapping <m> over its reserved range, one mmap per
 * run of consecutive frames of one domain (a share of many pages usually
 * is one run: one system call and one VMA instead of one per page).
 */
static int
map_pages(struct xenemu_mapping *m, uint32_t from, uint32_t to, int prot)
{
	uint32_t i = from, j;
	void *p;

	while (i < to) {
		j = i + 1;
		while (j < to && m->pg[j].dom == m->pg[i].dom &&
		       m->pg[j].frame == m->pg[i].frame + (j - i))
			j++;
		p = mmap(m->addr + (size_t)i * PAGE, (size_t)(j - i) * PAGE, prot,
			 MAP_SHARED | MAP_FIXED, m->pg[i].dom->page_fd,
			 (off_t)m->pg[i].frame * PAGE);
		if (p == MAP_FAILED)
			return -errno;
		i = j;
	}
	return 0;
}

/* A mapping of <count> pages over a reserved range, or NULL (ENOMEM). */
static struct xenemu_mapping *
mapping_new(uint32_t count)
{
	struct xenemu_mapping *m;

	m = calloc(1, sizeof(*m) + (size_t)count * sizeof(m->pg[0]));
	if (m == NULL)
		return NULL;
	m->count = count;
	m->addr = reserve_range((size_t)count * PAGE);
	if (m->addr == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

/*
 * A notification port of a map (gntdev) or share (gntalloc) must be bound,
 * as both take a reference on it: adds the event to *nflags, or -EINVAL.
 */
static int
notify_port_check(struct xenemu_dom *d, uint32_t port, uint32_t *nflags)
{
	if (!xenemu_evt_port_bound(d, port))
		return -EINVAL;
	*nflags |= XENEMU_NOTIFY_SEND_EVENT;
	return 0;
}

static void
mapping_unlink(struct xenemu_ctx *c, struct xenemu_mapping *m)
{
	struct xenemu_mapping **pp;

	for (pp = &c->mappings; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			return;
		}
	}
}

/* --- map records (maps-<slot>) --------------------------------------------------- */

static int
recs_path(char *buf, size_t len, struct xenemu_dom *d, uint32_t slot)
{
	int n = snprintf(buf, len, "%s/maps-%u", d->path, slot);

	return (n >= 0 && (size_t)n < len) ? 0 : -ENAMETOOLONG;
}

static const size_t recs_size = (size_t)XENEMU_MAPREC_MAX * sizeof(struct xenemu_maprec);

static int
recs_open(struct xenemu_ctx *c)
{
	char path[PATH_MAX];
	void *p;
	int fd, rc;

	rc = recs_path(path, sizeof(path), c->self, (uint32_t)c->slot);
	if (rc != 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)recs_size) != 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	p = mmap(NULL, recs_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = -errno;
	close(fd);
	if (p == MAP_FAILED) {
		unlink(path);
		return rc;
	}
	c->recs = p;
	return 0;
}

static int
rec_alloc(struct xenemu_ctx *c, uint32_t *idx)
{
	if (c->nr_rec_free > 0) {
		*idx = c->rec_free[--c->nr_rec_free];
		return 0;
	}
	if (c->rec_next >= XENEMU_MAPREC_MAX)
		return -ENOMEM;
	*idx = c->rec_next++;
	return 0;
}

static void
rec_put(struct xenemu_ctx *c, uint32_t idx)
{
	uint32_t *n;

	if (c->nr_rec_free == c->cap_rec_free) {
		uint32_t cap = c->cap_rec_free ? c->cap_rec_free * 2 : 64;

		n = realloc(c->rec_free, cap * sizeof(*n));
		if (n == NULL)
			return;         /* the record is simply not reused */
		c->rec_free = n;
		c->cap_rec_free = cap;
	}
	c->rec_free[c->nr_rec_free++] = idx;
}

/*
 * Release the pin a record holds, if nobody did yet (the exchange decides
 * between unmap, the reclaim of a dead handle and domain destruction).
 * Returns the record's flags as they were.
 */
static uint32_t
rec_release(struct xenemu_maprec *r, struct xenemu_dom *granter)
{
	uint32_t flags = __atomic_exchange_n(&r->flags, 0, __ATOMIC_ACQ_REL);

	if ((flags & XENEMU_MAPREC_IN_USE) && granter != NULL &&
	    granter->instance == r->instance && r->ref < granter->max_grants)
		xenemu_gnt_unpin(granter, r->ref);
	return flags;
}

/* The view of the domain a record pins, or NULL if it is gone. */
static struct xenemu_dom *
rec_granter(struct xenemu_ctx *c, const struct xenemu_maprec *r)
{
	struct xenemu_dom *d = xenemu_ctx_dom(c, r->domid);

	if (d != NULL && d->instance == r->instance)
		return d;
	/* A destroyed domain's old view may still be cached. */
	for (d = c->retired; d != NULL; d = d->next)
		if (d->domid == r->domid && d->instance == r->instance)
			return d;
	return NULL;
}

/* --- grant maps (gnttab handle) ----------------------------------------------- */

int
xenemu_gnt_map(struct xenemu_ctx *c, uint32_t count, const uint32_t *domids,
	       uint32_t domid, const uint32_t *refs, int prot, uint32_t notify_offset,
	       uint32_t notify_port, void **addr)
{
	bool write = (prot & PROT_WRITE) != 0;
	struct xenemu_mapping *m;
	struct xenemu_maprec *r;
	struct xenemu_dom *d;
	uint32_t i, nflags = 0, pinned = 0, recorded = 0, frame;
	int rc = 0;

	if (count == 0 || count > XENEMU_MAPREC_MAX || refs == NULL ||
	    (prot & ~(PROT_READ | PROT_WRITE)) != 0)
		return -EINVAL;
	if (notify_offset != UINT32_MAX && notify_offset < (uint64_t)count * PAGE) {
		/* gntdev refuses to clear a byte of a read-only map. */
		if (!write)
			return -EINVAL;
		nflags |= XENEMU_NOTIFY_CLEAR_BYTE;
	}
	if (notify_port != UINT32_MAX &&
	    notify_port_check(c->self, notify_port, &nflags) != 0)
		return -EINVAL;
	m = mapping_new(count);
	if (m == NULL)
		return -ENOMEM;
	m->notify_flags = nflags;
	m->notify_offset = notify_offset;
	m->notify_port = notify_port;

	pthread_mutex_lock(&c->mu);
	if (c->recs == NULL)
		rc = recs_open(c);
	for (i = 0; rc == 0 && i < count; i++) {
		d = xenemu_ctx_dom(c, domids != NULL ? domids[i] : domid);
		/* Any failed grant fails gntdev's mmap with EINVAL; the Xen
		 * status (bad_domain, bad_gntref, ...) is not visible. */
		if (d == NULL ||
		    xenemu_gnt_pin(d, c->self->domid, refs[i], write, &frame) != GNTST_okay) {
			rc = -EINVAL;
			break;
		}
		pinned++;
		m->pg[i].dom = d;
		m->pg[i].ref = refs[i];
		m->pg[i].frame = frame;
		rc = rec_alloc(c, &m->pg[i].rec);
		if (rc != 0)
			break;
		r = &c->recs[m->pg[i].rec];
		r->domid = d->domid;
		r->ref = refs[i];
		r->frame = frame;
		r->instance = d->instance;
		r->notify_offset = (uint16_t)(notify_offset % PAGE);
		r->notify_port = notify_port;
		/* The notify belongs to the page holding the byte (the first
		 * page for the event), so a reclaimer does each once. */
		__atomic_store_n(&r->flags, XENEMU_MAPREC_IN_USE |
				 (write ? XENEMU_MAPREC_WRITE : 0) |
				 (((nflags & XENEMU_NOTIFY_CLEAR_BYTE) &&
				   i == notify_offset / PAGE) ? XENEMU_NOTIFY_CLEAR_BYTE << 8 : 0) |
				 (((nflags & XENEMU_NOTIFY_SEND_EVENT) && i == 0) ?
				  XENEMU_NOTIFY_SEND_EVENT << 8 : 0),
				 __ATOMIC_RELEASE);
		recorded++;
	}
	if (rc == 0)
		rc = map_pages(m, 0, count, prot);
	if (rc != 0) {
		/* Release every pin taken: through its record where it has
		 * one, directly for the last one if its record failed. */
		for (i = 0; i < pinned; i++) {
			if (i < recorded) {
				rec_release(&c->recs[m->pg[i].rec], m->pg[i].dom);
				rec_put(c, m->pg[i].rec);
			} else {
				xenemu_gnt_unpin(m->pg[i].dom, m->pg[i].ref);
			}
		}
		pthread_mutex_unlock(&c->mu);
		munmap(m->addr, (size_t)count * PAGE);
		free(m);
		return rc;
	}
	m->next = c->mappings;
	c->mappings = m;
	pthread_mutex_unlock(&c->mu);
	*addr = m->addr;
	return 0;
}

/* Unmap one grant mapping, run its notify (c->mu held). */
static void
unmap_one(struct xenemu_ctx *c, struct xenemu_mapping *m)
{
	uint32_t i;

	/* gntdev clears the byte while the page is still mapped... */
	if (m->notify_flags & XENEMU_NOTIFY_CLEAR_BYTE)
		__atomic_store_n(&m->addr[m->notify_offset], 0, __ATOMIC_RELEASE);
	munmap(m->addr, (size_t)m->count * PAGE);
	for (i = 0; i < m->count; i++) {
		rec_release(&c->recs[m->pg[i].rec], m->pg[i].dom);
		rec_put(c, m->pg[i].rec);
	}
	/* ...and sends the event once the grants are unmapped. */
	if (m->notify_flags & XENEMU_NOTIFY_SEND_EVENT)
		xenemu_evt_send(c, c->self, m->notify_port);
	mapping_unlink(c, m);
	free(m);
}

int
xenemu_gnt_unmap(struct xenemu_ctx *c, void *addr, uint32_t count)
{
	struct xenemu_mapping *m;
	int rc = -EINVAL;

	if (addr == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->mu);
	for (m = c->mappings; m != NULL; m = m->next) {
		if (m->addr != addr)
			continue;
		/* libxengnttab checks the count against gntdev's. */
		if (m->count == count) {
			unmap_one(c, m);
			rc = 0;
		}
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* --- shares (gntshr handle) ------------------------------------------------------- */

/* Free what share() allocated and did not publish (domain mutex held). */
static void
share_undo_alloc(struct xenemu_dom *d, struct xenemu_mapping *m, uint32_t n_pages,
		 uint32_t n_refs)
{
	uint32_t i;

	for (i = 0; i < n_pages; i++) {
		d->page_meta[m->pg[i].frame].owner = 0;
		bitmap_put(d->page_map, m->pg[i].frame);
	}
	for (i = 0; i < n_refs; i++)
		bitmap_put(d->ref_map, m->pg[i].ref);
}

int
xenemu_shr_share(struct xenemu_ctx *c, uint32_t domid, uint32_t count,
		 uint32_t *refs, bool writable, uint32_t notify_offset,
		 uint32_t notify_port, void **addr)
{
	struct xenemu_dom *d = c->self;
	struct xenemu_mapping *m;
	struct xenemu_page *pm;
	uint32_t i, nflags = 0;
	int64_t v;
	int rc;

	if (count == 0 || count > d->max_pages || refs == NULL || domid > UINT16_MAX)
		return -EINVAL;
	if (notify_offset < PAGE)
		nflags |= XENEMU_NOTIFY_CLEAR_BYTE;
	if (notify_port != UINT32_MAX &&
	    notify_port_check(d, notify_port, &nflags) != 0)
		return -EINVAL;
	m = mapping_new(count);
	if (m == NULL)
		return -ENOMEM;

	pthread_mutex_lock(&c->mu);
	rc = xenemu_dom_lock(d);
	if (rc != 0)
		goto out_unlocked;
	if (xenemu_dom_dead(d)) {
		rc = -ESRCH;
		goto out_locked;
	}
	/* Pages: one run if there is one, else any free pages. */
	v = count > 1 ? bitmap_take_run(d->page_map, d->max_pages, count) : -1;
	if (v >= 0) {
		for (i = 0; i < count; i++)
			m->pg[i].frame = (uint32_t)v + i;
	} else {
		for (i = 0; i < count; i++) {
			v = bitmap_take(d->page_map, d->max_pages, &d->shm->page_hint);
			if (v < 0) {
				/* gntalloc: over its page limit. */
				share_undo_alloc(d, m, i, 0);
				rc = -ENOMEM;
				goto out_locked;
			}
			m->pg[i].frame = (uint32_t)v;
		}
	}
	for (i = 0; i < count; i++) {
		v = bitmap_take(d->ref_map, d->max_grants, &d->shm->ref_hint);
		if (v < 0) {
			/* gnttab_alloc_grant_references: no free refs. */
			share_undo_alloc(d, m, count, i);
			rc = -ENOSPC;
			goto out_locked;
		}
		m->pg[i].ref = (uint32_t)v;
	}
	for (i = 0; i < count; i++) {
		pm = &d->page_meta[m->pg[i].frame];
		pm->notify_flags = (uint16_t)nflags;
		pm->notify_offset = (uint16_t)(notify_offset % PAGE);
		pm->notify_port = notify_port;
		__atomic_store_n(&pm->ref, m->pg[i].ref, __ATOMIC_RELEASE);
		__atomic_store_n(&pm->owner, (uint16_t)(c->slot + 1), __ATOMIC_RELEASE);
		/* A new ref's active word may still hold transient pins of
		 * late callers; they drop them. No flag may survive. */
		__atomic_fetch_and(&d->active[m->pg[i].ref], XENEMU_ACT_PINS,
				   __ATOMIC_SEQ_CST);
	}
	xenemu_dom_unlock(d);

	for (i = 0; i < count; i++) {
		m->pg[i].dom = d;
		m->pg[i].live = true;
		/* gntalloc hands out zeroed pages. */
		memset(d->pages + (size_t)m->pg[i].frame * PAGE, 0, PAGE);
	}
	rc = map_pages(m, 0, count, PROT_READ | PROT_WRITE);
	if (rc != 0) {
		for (i = 0; i < count; i++) {
			__atomic_store_n(&d->page_meta[m->pg[i].frame].owner, 0,
					 __ATOMIC_RELEASE);
			/* Never published: retire at once. */
			xenemu_gnt_end_access(d, m->pg[i].ref);
		}
		goto out_unlocked;
	}
	for (i = 0; i < count; i++) {
		entry_store(d, m->pg[i].ref,
			    GTF_permit_access | (writable ? 0 : GTF_readonly),
			    (uint16_t)domid, m->pg[i].frame);
		refs[i] = m->pg[i].ref;
	}
	m->nr_live = count;
	m->next = c->mappings;
	c->mappings = m;
	pthread_mutex_unlock(&c->mu);
	*addr = m->addr;
	return 0;

out_locked:
	xenemu_dom_unlock(d);
out_unlocked:
	pthread_mutex_unlock(&c->mu);
	munmap(m->addr, (size_t)count * PAGE);
	free(m);
	return rc;
}

/*
 * gntalloc's __del_gref for one page of ours: clear the notify byte, send
 * the notify event, then end foreign access (which frees the page now or
 * when the last peer unmaps it). <byte> is where this process sees the page,
 * or NULL to go through the domain's own mapping.
 */
static void
unshare_page(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t frame,
	     uint8_t *page)
{
	struct xenemu_page *pm = &d->page_meta[frame];
	uint32_t flags = pm->notify_flags, port = pm->notify_port;
	uint32_t ref = __atomic_load_n(&pm->ref, __ATOMIC_ACQUIRE);

	if (page == NULL)
		page = d->pages + (size_t)frame * PAGE;
	if (flags & XENEMU_NOTIFY_CLEAR_BYTE)
		__atomic_store_n(&page[pm->notify_offset % PAGE], 0, __ATOMIC_RELEASE);
	if (flags & XENEMU_NOTIFY_SEND_EVENT)
		xenemu_evt_send(c, d, port);
	pm->notify_flags = 0;
	__atomic_store_n(&pm->owner, 0, __ATOMIC_RELEASE);
	xenemu_gnt_end_access(d, ref);
}

int
xenemu_shr_unshare(struct xenemu_ctx *c, void *addr, uint32_t count)
{
	uint8_t *p = addr;
	struct xenemu_mapping *m;
	uint32_t first, i;
	int rc = -EINVAL;

	if (p == NULL || count == 0 || ((uintptr_t)p % PAGE) != 0)
		return -EINVAL;
	pthread_mutex_lock(&c->mu);
	for (m = c->mappings; m != NULL; m = m->next) {
		if (p < m->addr || p >= m->addr + (size_t)m->count * PAGE)
			continue;
		first = (uint32_t)((size_t)(p - m->addr) / PAGE);
		if (count > m->count - first)
			break;
		/* Clear the notify bytes while the pages are still mapped. */
		for (i = first; i < first + count; i++) {
			if (!m->pg[i].live)
				continue;
			m->pg[i].live = false;
			m->nr_live--;
			unshare_page(c, c->self, m->pg[i].frame, m->addr + (size_t)i * PAGE);
		}
		/* Keep the range reserved until the whole share is gone, so
		 * the address is not reused behind a stale unshare. */
		mmap(p, (size_t)count * PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
		if (m->nr_live == 0) {
			munmap(m->addr, (size_t)m->count * PAGE);
			mapping_unlink(c, m);
			free(m);
		}
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* --- closing, reclaiming ---------------------------------------------------------- */

/*
 * Undo every map (gnttab) or share (gntshr) of a handle being closed. In a
 * child that inherited it over fork() (<owner> false) the grants and pages
 * are the parent's: only this process's mappings go, nothing is unshared
 * or notified.
 */
static void
hook_ctx_close(struct xenemu_ctx *c, bool owner)
{
	char path[PATH_MAX];
	struct xenemu_mapping *m;
	uint32_t i;

	if (owner && c->kind != XENEMU_SLOT_GNTTAB && c->kind != XENEMU_SLOT_GNTSHR)
		return;
	pthread_mutex_lock(&c->mu);
	while ((m = c->mappings) != NULL) {
		if (owner && c->kind == XENEMU_SLOT_GNTTAB) {
			unmap_one(c, m);
			continue;
		}
		for (i = 0; owner && i < m->count; i++)
			if (m->pg[i].live)
				unshare_page(c, c->self, m->pg[i].frame,
					     m->addr + (size_t)i * PAGE);
		munmap(m->addr, (size_t)m->count * PAGE);
		c->mappings = m->next;
		free(m);
	}
	if (c->recs != NULL) {
		munmap(c->recs, recs_size);
		c->recs = NULL;
		if (owner && c->slot >= 0 &&
		    recs_path(path, sizeof(path), c->self, (uint32_t)c->slot) == 0)
			unlink(path);
	}
	pthread_mutex_unlock(&c->mu);
}

/* Release every record of one maps-<slot> file of <d>; run notifies if asked. */
static void
release_recs_file(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t slot,
		  bool notify)
{
	char path[PATH_MAX];
	struct xenemu_maprec *recs, *r;
	struct xenemu_dom *g;
	struct stat st;
	uint32_t i, n, flags;
	int fd;

	if (recs_path(path, sizeof(path), d, slot) != 0)
		return;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*recs)) {
		close(fd);
		return;
	}
	n = (uint32_t)((size_t)st.st_size / sizeof(*recs));
	if (n > XENEMU_MAPREC_MAX)
		n = XENEMU_MAPREC_MAX;
	recs = mmap(NULL, (size_t)n * sizeof(*recs), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	close(fd);
	if (recs == MAP_FAILED)
		return;
	for (i = 0; i < n; i++) {
		r = &recs[i];
		if ((__atomic_load_n(&r->flags, __ATOMIC_ACQUIRE) & XENEMU_MAPREC_IN_USE) == 0)
			continue;
		g = rec_granter(c, r);
		flags = __atomic_load_n(&r->flags, __ATOMIC_ACQUIRE);
		/* As gntdev does when a dead process's file is released:
		 * clear the byte while still pinned, unpin, send the event. */
		if (notify && g != NULL && (flags & (XENEMU_NOTIFY_CLEAR_BYTE << 8)) &&
		    (flags & XENEMU_MAPREC_WRITE) && r->frame < g->max_pages)
			__atomic_store_n(&g->pages[(size_t)r->frame * PAGE +
						   r->notify_offset % PAGE], 0,
					 __ATOMIC_RELEASE);
		flags = rec_release(r, g);
		if (notify && (flags & XENEMU_MAPREC_IN_USE) &&
		    (flags & (XENEMU_NOTIFY_SEND_EVENT << 8)))
			xenemu_evt_send(c, d, r->notify_port);
	}
	munmap(recs, (size_t)n * sizeof(*recs));
}

/* Release what a dead handle's slot held (maps or shares). */
static void
hook_slot_reclaim(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t slot,
		  uint32_t kind)
{
	char path[PATH_MAX];
	struct xenemu_page *pm;
	uint32_t f;

	if (kind != XENEMU_SLOT_GNTTAB && kind != XENEMU_SLOT_GNTSHR)
		return;
	if (kind == XENEMU_SLOT_GNTTAB) {
		release_recs_file(c, d, slot, true);
		if (recs_path(path, sizeof(path), d, slot) == 0)
			unlink(path);
		return;
	}
	/* A dead gntshr handle: unshare every page it still owned. */
	for (f = 0; f < d->max_pages; f++) {
		pm = &d->page_meta[f];
		if (__atomic_load_n(&pm->owner, __ATOMIC_ACQUIRE) != slot + 1 ||
		    !page_allocated(d, f))
			continue;
		unshare_page(c, d, f, NULL);
	}
}

/*
 * Release every map record of a dying domain: the pins its mappings hold
 * on other domains' grants go, as Xen tears down a dying domain's grant
 * mappings.
 */
static void
hook_domain_destroy(struct xenemu_ctx *c, struct xenemu_dom *d)
{
	uint32_t slot;

	for (slot = 0; slot < d->nr_slots; slot++)
		release_recs_file(c, d, slot, false);
}

/* --- close hooks: a handle's and a domain's life ----------------------------- */

static void
hook_ctx_init(struct xenemu_ctx *c)
{
	pthread_mutex_init(&c->mu, NULL);
}

static void
hook_ctx_fini(struct xenemu_ctx *c)
{
	free(c->rec_free);
	c->rec_free = NULL;
	pthread_mutex_destroy(&c->mu);
}

/* Level 2, above event channels: closing a map may send its unmap
 * notification. Nothing to set up when a handle opens. */
XENEMU_CLOSE_HOOKS(gnttab, 2, hook_ctx_init, NULL, hook_ctx_close,
		   hook_ctx_fini, hook_slot_reclaim, hook_domain_destroy)
