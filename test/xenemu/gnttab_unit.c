/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of xenemu's grant tables, on the core library directly: domain
 * life cycle, share/map/copy with Xen's status codes, the pin protocol
 * (unshare while mapped, retire on last unmap), unmap notifies, reclaiming
 * what crashed processes held, domain destruction, allocator limits, and
 * copies racing with unshare.
 */

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "gntcopy_seg.h"
#include "gnttab_testlib.h"
#include "xenemu_internal.h"

#define NONE UINT32_MAX
#define PG XENEMU_PAGE_SIZE

static bool
page_used(struct xenemu_dom *d, uint32_t f)
{
	return (__atomic_load_n(&d->page_map[f / 64], __ATOMIC_ACQUIRE) >> (f % 64)) & 1;
}

static bool
ref_used(struct xenemu_dom *d, uint32_t r)
{
	return (__atomic_load_n(&d->ref_map[r / 64], __ATOMIC_ACQUIRE) >> (r % 64)) & 1;
}

static struct grant_entry_v1
entry(struct xenemu_dom *d, uint32_t ref)
{
	uint64_t raw = __atomic_load_n(&d->gnttab[ref], __ATOMIC_ACQUIRE);
	struct grant_entry_v1 e;

	memcpy(&e, &raw, sizeof(e));
	return e;
}

static uint32_t
used_pages(struct xenemu_dom *d)
{
	uint32_t f, n = 0;

	for (f = 0; f < d->max_pages; f++)
		n += page_used(d, f);
	return n;
}

static int
open_ctx(struct xenemu_ctx *c, uint32_t domid, enum xenemu_slot_kind kind)
{
	return xenemu_ctx_open_dom(c, tl_dir, domid, kind, true);
}

/*
 * What most tests start from: domains 0 to ndoms - 1, each with the given
 * grant and page limits (0: the defaults), domain 1 granting through shr and
 * dom0 mapping through tab. 0, or the first error.
 */
static int
share_map_setup(uint16_t ndoms, unsigned int max_grants, unsigned int max_pages,
		struct xenemu_ctx *shr, struct xenemu_ctx *tab)
{
	int rc = tl_domains(ndoms, max_grants, max_pages);

	if (rc == 0)
		rc = open_ctx(shr, 1, XENEMU_SLOT_GNTSHR);
	if (rc == 0)
		rc = open_ctx(tab, 0, XENEMU_SLOT_GNTTAB);
	return rc;
}

/* --- domain life cycle ---------------------------------------------------- */

static void
test_domain_lifecycle(void)
{
	char path[PATH_MAX];
	struct xenemu_ctx c;
	struct stat st;

	CHECK_EQ(xenemu_domain_exists(tl_dir, 1), 0);
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 64, 32), 0);
	CHECK_EQ(xenemu_domain_exists(tl_dir, 1), 1);
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 0, 0), -EEXIST);
	CHECK_EQ(xenemu_domain_create(tl_dir, DOMID_FIRST_RESERVED, 0, 0), -EINVAL);
	CHECK_EQ(xenemu_domain_create(tl_dir, 2, 8, 0), -EINVAL);
	CHECK_EQ(xenemu_domain_create(tl_dir, 2, XENEMU_MAX_GRANTS_LIMIT + 1, 0), -EINVAL);
	CHECK_EQ(xenemu_domain_create(tl_dir, 2, 0, XENEMU_MAX_PAGES_LIMIT + 1), -EINVAL);
	CHECK_EQ(xenemu_domain_create(NULL, 2, 0, 0), -EINVAL);
	CHECK_EQ(xenemu_domain_exists(tl_dir, 2), 0);

	CHECK_EQ(open_ctx(&c, 3, XENEMU_SLOT_GNTTAB), -ENOENT);
	CHECK_EQ(open_ctx(&c, 1, XENEMU_SLOT_GNTTAB), 0);
	CHECK_EQ(c.self->max_grants, 64);
	CHECK_EQ(c.self->max_pages, 32);
	xenemu_ctx_close(&c);

	/* Default limits; the files are sparse. */
	CHECK_EQ(xenemu_domain_create(tl_dir, 7, 0, 0), 0);
	CHECK_EQ(open_ctx(&c, 7, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(c.self->max_grants, XENEMU_DEFAULT_MAX_GRANTS);
	CHECK_EQ(c.self->max_pages, XENEMU_DEFAULT_MAX_PAGES);
	xenemu_ctx_close(&c);
	CHECK_EQ(xenemu_dom_path(path, sizeof(path), tl_dir, 7, "pages"), 0);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_size, (off_t)XENEMU_DEFAULT_MAX_PAGES * PG);
	CHECK(st.st_blocks * 512 < 1024 * 1024);

	CHECK_EQ(xenemu_domain_destroy(tl_dir, 1), 0);
	CHECK_EQ(xenemu_domain_exists(tl_dir, 1), 0);
	CHECK_EQ(xenemu_domain_destroy(tl_dir, 1), -ENOENT);
	CHECK_EQ(open_ctx(&c, 1, XENEMU_SLOT_GNTTAB), -ENOENT);
	/* A domid can be created again after destruction. */
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 0, 0), 0);
	CHECK_EQ(xenemu_domain_exists(tl_dir, 1), 1);

	/* The environment of a domain's process. */
	setenv("XENEMU_DIR", tl_dir, 1);
	CHECK(strcmp(xenemu_state_dir(), tl_dir) == 0);
	setenv("XENEMU_DOMID", "7", 1);
	CHECK_EQ(xenemu_ctx_open(&c, XENEMU_SLOT_EVTCHN, true), 0);
	CHECK_EQ(c.self->domid, 7);
	xenemu_ctx_close(&c);
	setenv("XENEMU_DOMID", "12x", 1);
	CHECK_EQ(xenemu_ctx_open(&c, XENEMU_SLOT_GNTTAB, true), -EINVAL);
	setenv("XENEMU_DOMID", "32752", 1);
	CHECK_EQ(xenemu_ctx_open(&c, XENEMU_SLOT_GNTTAB, true), -EINVAL);
	setenv("XENEMU_DOMID", "9", 1);
	CHECK_EQ(xenemu_ctx_open(&c, XENEMU_SLOT_GNTTAB, true), -ENOENT);
	unsetenv("XENEMU_DOMID");
	unsetenv("XENEMU_DIR");
	CHECK(strcmp(xenemu_state_dir(), "/run/xenemu") == 0);
}

/* --- share, map, copy --------------------------------------------------------- */

static void
test_map_copy(void)
{
	struct xenemu_ctx shr, tab, self_tab;
	xengnttab_grant_copy_segment_t seg[10];
	uint32_t w[4], ro, other, selfref, domids[2], refs[2], i, j;
	uint8_t *pw, *pro, *pother, *pself, *m, buf[PG], out[PG];
	void *p;

	CHECK_EQ(share_map_setup(3, 0, 0, &shr, &tab), 0);

	CHECK_EQ(xenemu_shr_share(&shr, 0, 4, w, true, NONE, NONE, &p), 0);
	pw = p;
	for (i = 0; i < 4; i++) {
		struct grant_entry_v1 e = entry(shr.self, w[i]);

		CHECK(w[i] >= GNTTAB_NR_RESERVED_ENTRIES);
		CHECK_EQ(e.flags, GTF_permit_access);
		CHECK_EQ(e.domid, 0);
		/* One run of pages: one mmap. */
		CHECK_EQ(e.frame, entry(shr.self, w[0]).frame + i);
		for (j = 0; j < PG; j++) {
			CHECK_EQ(pw[i * PG + j], 0);    /* zeroed pages */
			pw[i * PG + j] = (uint8_t)(i * 7 + j);
		}
	}
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &ro, false, NONE, NONE, &p), 0);
	pro = p;
	CHECK_EQ(entry(shr.self, ro).flags, GTF_permit_access | GTF_readonly);
	memset(pro, 0x11, PG);
	CHECK_EQ(xenemu_shr_share(&shr, 2, 1, &other, true, NONE, NONE, &p), 0);
	pother = p;
	memset(pother, 0x22, PG);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 0, &other, true, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_shr_share(&shr, 0x10000, 1, &other, true, NONE, NONE, &p), -EINVAL);

	/* Several refs: one contiguous mapping, shared both ways. */
	CHECK_EQ(xenemu_gnt_map(&tab, 4, NULL, 1, w, PROT_READ | PROT_WRITE, NONE, NONE, &p), 0);
	m = p;
	CHECK(memcmp(m, pw, 4 * PG) == 0);
	m[2 * PG + 5] = 0xEE;
	CHECK_EQ(pw[2 * PG + 5], 0xEE);
	pw[3 * PG + 9] = 0xDD;
	CHECK_EQ(m[3 * PG + 9], 0xDD);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 3), -EINVAL);        /* wrong count */
	CHECK_EQ(xenemu_gnt_unmap(&tab, m + PG, 3), -EINVAL);   /* not a start */
	CHECK_EQ(xenemu_gnt_unmap(&tab, NULL, 1), -EINVAL);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 4), 0);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 4), -EINVAL);        /* already */

	/* Per-page domids (map_grant_refs). */
	domids[0] = 1; domids[1] = 1;
	refs[0] = w[1]; refs[1] = ro;
	CHECK_EQ(xenemu_gnt_map(&tab, 2, domids, 0, refs, PROT_READ, NONE, NONE, &p), 0);
	m = p;
	CHECK(memcmp(m, pw + PG, PG) == 0);
	CHECK_EQ(m[PG + 100], 0x11);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 2), 0);

	/* What cannot be mapped: EINVAL, as gntdev's mmap. */
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &ro, PROT_READ | PROT_WRITE, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &other, PROT_READ, NONE, NONE, &p), -EINVAL);
	refs[0] = XENEMU_DEFAULT_MAX_GRANTS;
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, refs, PROT_READ, NONE, NONE, &p), -EINVAL);
	refs[0] = 3000;                                         /* never granted */
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, refs, PROT_READ, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 9, w, PROT_READ, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, DOMID_SELF, w, PROT_READ, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 0, NULL, 1, w, PROT_READ, NONE, NONE, &p), -EINVAL);
	/* A failed multi-page map leaves no pin behind. */
	refs[0] = w[0]; refs[1] = ro;
	CHECK_EQ(xenemu_gnt_map(&tab, 2, NULL, 1, refs, PROT_READ | PROT_WRITE, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(shr.self->active[w[0]], 0);

	/* Copies, with Xen's status per segment. */
	for (i = 0; i < PG; i++)
		buf[i] = (uint8_t)(0xA0 ^ i);
	memset(out, 0, sizeof(out));
	memset(seg, 0, sizeof(seg));
	seg[0] = seg_from_grant(1, w[0], 10, out, 100);         /* grant -> local */
	seg[1] = seg_to_grant(buf, 1, w[1], 4000, 96);          /* local -> grant */
	seg[2] = seg[1];                                        /* into read-only */
	seg[2].dest.foreign.ref = ro;
	seg[3] = seg_from_grant(1, ro, 0, out + 200, 50);       /* from read-only */
	seg[4] = seg[3];                                        /* unknown ref */
	seg[4].source.foreign.ref = XENEMU_DEFAULT_MAX_GRANTS + 5;
	seg[5] = seg[3];                                        /* no such domain */
	seg[5].source.foreign.domid = 9;
	seg[6] = seg[3];                                        /* granted to dom 2 */
	seg[6].source.foreign.ref = other;
	seg[7] = seg_grant_to_grant(1, w[2], 0, 1, w[3], 2048, 2048); /* grant -> grant */
	seg[8] = seg[3];                                        /* reserved domid */
	seg[8].source.foreign.domid = DOMID_FIRST_RESERVED + 1;
	seg[9] = seg[3];                                        /* free ref */
	seg[9].source.foreign.ref = 3000;
	for (i = 0; i < 10; i++)
		seg[i].status = 99;
	CHECK_EQ(xenemu_gnt_copy(&tab, 10, seg), 0);
	CHECK_EQ(seg[0].status, GNTST_okay);
	CHECK(memcmp(out, pw + 10, 100) == 0);
	CHECK_EQ(seg[1].status, GNTST_okay);
	CHECK(memcmp(pw + PG + 4000, buf, 96) == 0);
	CHECK_EQ(seg[2].status, GNTST_general_error);
	CHECK_EQ(pro[4000], 0x11);
	CHECK_EQ(seg[3].status, GNTST_okay);
	CHECK_EQ(out[200], 0x11);
	CHECK_EQ(seg[4].status, GNTST_bad_gntref);
	CHECK_EQ(seg[5].status, GNTST_bad_domain);
	CHECK_EQ(seg[6].status, GNTST_general_error);
	CHECK_EQ(seg[7].status, GNTST_okay);
	CHECK(memcmp(pw + 3 * PG + 2048, pw + 2 * PG, 2048) == 0);
	CHECK_EQ(seg[8].status, GNTST_bad_domain);
	CHECK_EQ(seg[9].status, GNTST_general_error);
	/* Copies hold no pin once done. */
	CHECK_EQ(shr.self->active[w[0]], 0);
	CHECK_EQ(shr.self->active[w[2]], 0);
	CHECK_EQ(shr.self->active[w[3]], 0);

	/* Segments gntdev refuses fail the whole call. */
	seg[0].source.foreign.offset = 4000;
	seg[0].len = 200;
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, seg), -EINVAL);
	seg[1].dest.foreign.offset = 4095;
	seg[1].len = 2;
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, &seg[1]), -EINVAL);
	seg[0].flags = 0;
	seg[0].source.virt = buf;
	seg[0].len = 10;
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, seg), -EINVAL);
	CHECK_EQ(xenemu_gnt_copy(&tab, 0, NULL), 0);
	/* An empty segment is okay without any check, as with gntdev. */
	seg[0] = seg_from_grant(9, XENEMU_DEFAULT_MAX_GRANTS + 5, 0, out, 0);
	seg[0].status = 99;
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, seg), 0);
	CHECK_EQ(seg[0].status, GNTST_okay);

	/* A domain copying its own grant with DOMID_SELF. */
	CHECK_EQ(xenemu_shr_share(&shr, 1, 1, &selfref, true, NONE, NONE, &p), 0);
	pself = p;
	memset(pself, 0x5C, PG);
	CHECK_EQ(open_ctx(&self_tab, 1, XENEMU_SLOT_GNTTAB), 0);
	seg[0] = seg_from_grant(DOMID_SELF, selfref, 0, out, 64);
	CHECK_EQ(xenemu_gnt_copy(&self_tab, 1, seg), 0);
	CHECK_EQ(seg[0].status, GNTST_okay);
	CHECK_EQ(out[63], 0x5C);
	xenemu_ctx_close(&self_tab);

	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
	/* Closing the sharing handle freed every page. */
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(used_pages(shr.self), 0);
	xenemu_ctx_close(&shr);
}

/* --- ending access while mapped ------------------------------------------------- */

static void
test_unshare_while_mapped(void)
{
	struct xenemu_ctx shr, tab;
	xengnttab_grant_copy_segment_t seg;
	uint32_t r, f, r2;
	uint8_t *ps, *m, byte;
	void *p;

	CHECK_EQ(share_map_setup(2, 64, 64, &shr, &tab), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, NONE, NONE, &p), 0);
	ps = p;
	f = entry(shr.self, r).frame;
	ps[1] = 0x42;
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r, PROT_READ | PROT_WRITE, NONE, NONE, &p), 0);
	m = p;
	CHECK_EQ(shr.self->active[r], 1);

	/* The granter ends access: the grant lives on while mapped. */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 1), 0);
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 1), -EINVAL);
	CHECK(page_used(shr.self, f));
	CHECK(ref_used(shr.self, r));
	CHECK_EQ(entry(shr.self, r).flags, GTF_permit_access);
	CHECK_EQ(m[1], 0x42);
	m[2] = 0x43;
	/* ...but cannot be taken again. */
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r, PROT_READ, NONE, NONE, &p), -EINVAL);
	seg = seg_from_grant(1, r, 0, &byte, 1);
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, &seg), 0);
	CHECK_EQ(seg.status, GNTST_general_error);
	/* Meanwhile the page is not handed out again. */
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r2, true, NONE, NONE, &p), 0);
	CHECK(entry(shr.self, r2).frame != f);
	CHECK(r2 != r);
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 1), 0);

	/* The last unmap retires it: entry cleared, page and ref free. */
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 1), 0);
	CHECK(!page_used(shr.self, f));
	CHECK(!ref_used(shr.self, r));
	CHECK_EQ(entry(shr.self, r).flags, 0);
	CHECK_EQ(shr.self->active[r], 0);

	/* Unsharing part of a share. */
	uint32_t rr[3];

	CHECK_EQ(xenemu_shr_share(&shr, 0, 3, rr, true, NONE, NONE, &p), 0);
	ps = p;
	CHECK_EQ(xenemu_shr_unshare(&shr, ps + PG, 2), 0);
	CHECK(!ref_used(shr.self, rr[1]));
	CHECK(ref_used(shr.self, rr[0]));
	ps[5] = 1;                                              /* still mapped */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps + PG, 1), 0);      /* already gone */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 4), -EINVAL);     /* past the end */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps + 1, 1), -EINVAL); /* unaligned */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 1), 0);
	CHECK_EQ(used_pages(shr.self), 0);

	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
}

/* --- unmap notifies --------------------------------------------------------------- */

static void
test_notify(void)
{
	struct xenemu_ctx e0, e1, shr, tab;
	int p1, p0, port;
	uint32_t r, r2;
	uint8_t *ps, *m, *ps2;
	void *p;

	CHECK_EQ(tl_domains(2, 0, 64), 0);
	CHECK_EQ(open_ctx(&e1, 1, XENEMU_SLOT_EVTCHN), 0);
	CHECK_EQ(open_ctx(&e0, 0, XENEMU_SLOT_EVTCHN), 0);
	p1 = xenemu_evt_bind_unbound(&e1, 0);
	CHECK(p1 > 0);
	p0 = xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1);
	CHECK(p0 > 0);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);                   /* Xen's initial event */
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(open_ctx(&tab, 0, XENEMU_SLOT_GNTTAB), 0);

	/* share_page_notify: on unshare, byte 100 cleared and p1 notified. */
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, 100, 4095, &p), -EINVAL); /* unbound port */
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, 100, (uint32_t)p1, &p), 0);
	ps = p;
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r, PROT_READ | PROT_WRITE, NONE, NONE, &p), 0);
	m = p;
	m[100] = 0xAB;
	m[101] = 0xCD;
	CHECK_EQ(ps[100], 0xAB);
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 1), 0);
	CHECK_EQ(m[100], 0);
	CHECK_EQ(m[101], 0xCD);
	CHECK_EQ(tl_next_event(&e0, 1000), p0);
	CHECK_EQ(xenemu_evt_unmask(&e0, (uint32_t)p0), 0);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 1), 0);

	/* map_grant_ref_notify: on unmap, byte 7 of the granter's page
	 * cleared and p0 notified. Read-only maps cannot clear a byte. */
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r2, true, NONE, NONE, &p), 0);
	ps2 = p;
	ps2[7] = 0x77;
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r2, PROT_READ, 7, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r2, PROT_READ, NONE, 4000, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r2, PROT_READ | PROT_WRITE, 7,
				(uint32_t)p0, &p), 0);
	CHECK_EQ(xenemu_gnt_unmap(&tab, p, 1), 0);
	CHECK_EQ(ps2[7], 0);
	port = tl_next_event(&e1, 1000);
	CHECK_EQ(port, p1);
	CHECK_EQ(xenemu_evt_unmask(&e1, (uint32_t)p1), 0);

	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
	xenemu_ctx_close(&e0);
	xenemu_ctx_close(&e1);
}

/* --- processes that die holding grants --------------------------------------------- */

static void
test_dead_process_reclaim(void)
{
	struct xenemu_ctx shr, tab, sweep;
	uint32_t refs[3], frames[3], r, f, i;
	int fds[2];
	ssize_t n;
	pid_t pid;
	void *p;

	CHECK_EQ(tl_domains(2, 64, 64), 0);

	/* A granter that dies: its pages come back, except one still
	 * mapped by a live peer, which comes back when the peer unmaps. */
	pid = tl_fork_piped(fds);
	CHECK(pid >= 0);
	if (pid == 0) {
		struct xenemu_ctx c;

		if (xenemu_ctx_open_dom(&c, tl_dir, 1, XENEMU_SLOT_GNTSHR, true) != 0 ||
		    xenemu_shr_share(&c, 0, 3, refs, true, NONE, NONE, &p) != 0)
			_exit(1);
		memset(p, 0x66, 3 * PG);
		n = write(fds[1], refs, sizeof(refs));
		_exit(n == sizeof(refs) ? 0 : 1);       /* no close: "crash" */
	}
	CHECK(tl_child_answer(fds, refs, sizeof(refs)));
	CHECK(tl_child_ok(pid));
	CHECK_EQ(open_ctx(&tab, 0, XENEMU_SLOT_GNTTAB), 0);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &refs[1], PROT_READ, NONE, NONE, &p), 0);
	for (i = 0; i < 3; i++) {
		frames[i] = entry(tab.doms[1], refs[i]).frame;
		CHECK(page_used(tab.doms[1], frames[i]));
	}
	/* Any new handle of domain 1 reclaims the dead one's slot. */
	CHECK_EQ(open_ctx(&sweep, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK(!page_used(sweep.self, frames[0]));
	CHECK(!page_used(sweep.self, frames[2]));
	CHECK(page_used(sweep.self, frames[1]));
	CHECK_EQ(((uint8_t *)p)[10], 0x66);
	CHECK_EQ(xenemu_gnt_unmap(&tab, p, 1), 0);
	CHECK(!page_used(sweep.self, frames[1]));
	CHECK_EQ(used_pages(sweep.self), 0);

	/* A mapper that dies: its pins are released, so the granter's
	 * unshare completes. */
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, NONE, NONE, &p), 0);
	f = entry(shr.self, r).frame;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct xenemu_ctx c;
		void *q;

		if (xenemu_ctx_open_dom(&c, tl_dir, 0, XENEMU_SLOT_GNTTAB, true) != 0 ||
		    xenemu_gnt_map(&c, 1, NULL, 1, &r, PROT_READ, NONE, NONE, &q) != 0)
			_exit(1);
		_exit(0);
	}
	CHECK(tl_child_ok(pid));
	CHECK_EQ(shr.self->active[r], 1);
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 1), 0);
	CHECK(page_used(shr.self, f));                          /* still pinned */
	xenemu_ctx_close(&tab);
	CHECK_EQ(open_ctx(&tab, 0, XENEMU_SLOT_GNTTAB), 0);     /* sweeps dom 0 */
	CHECK(!page_used(shr.self, f));
	CHECK_EQ(shr.self->active[r], 0);
	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
	xenemu_ctx_close(&sweep);
}

/* --- xenemu_domain_stat: what a domain holds --------------------------------------- */

static void
test_domain_stat(void)
{
	struct xenemu_domain_stat st;
	struct xenemu_ctx shr, tab, e0, e1;
	uint32_t refs[3];
	uint8_t *ps;
	int p0, p1, status;
	pid_t pid;
	void *p, *m;

	CHECK_EQ(xenemu_domain_create(tl_dir, 0, 64, 64), 0);
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 64, 64), 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 2, &st), -ENOENT);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 1, &st), 0);
	CHECK_EQ(st.grants + st.pages + st.pins + st.ports + st.handles, 0);

	/* Three pages shared by 1, one mapped by 0, an interdomain channel. */
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(open_ctx(&tab, 0, XENEMU_SLOT_GNTTAB), 0);
	CHECK_EQ(open_ctx(&e1, 1, XENEMU_SLOT_EVTCHN), 0);
	CHECK_EQ(open_ctx(&e0, 0, XENEMU_SLOT_EVTCHN), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 3, refs, true, NONE, NONE, &p), 0);
	ps = p;
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &refs[0], PROT_READ, NONE, NONE, &m), 0);
	p1 = xenemu_evt_bind_unbound(&e1, 0);
	CHECK(p1 > 0);
	p0 = xenemu_evt_bind_interdomain(&e0, 1, (uint32_t)p1);
	CHECK(p0 > 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 1, &st), 0);
	CHECK_EQ(st.grants, 3);
	CHECK_EQ(st.pages, 3);
	CHECK_EQ(st.pins, 1);
	CHECK_EQ(st.revoking, 0);
	CHECK_EQ(st.ports, 1);
	CHECK_EQ(st.handles, 2);
	CHECK_EQ(st.dead_handles, 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 0, &st), 0);
	CHECK_EQ(st.grants + st.pages + st.pins, 0);
	CHECK_EQ(st.ports, 1);
	CHECK_EQ(st.handles, 2);

	/* Unshared while mapped: revoking until the last unmap. */
	CHECK_EQ(xenemu_shr_unshare(&shr, ps, 3), 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 1, &st), 0);
	CHECK_EQ(st.grants, 1);
	CHECK_EQ(st.revoking, 1);
	CHECK_EQ(st.pins, 1);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 1), 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 1, &st), 0);
	CHECK_EQ(st.grants + st.pages + st.pins + st.revoking, 0);

	/* A process that dies holding a handle: counted dead until a sweep. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct xenemu_ctx c;

		_exit(xenemu_ctx_open_dom(&c, tl_dir, 1, XENEMU_SLOT_GNTSHR, true) != 0);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 1, &st), 0);
	CHECK_EQ(st.handles, 3);
	CHECK_EQ(st.dead_handles, 1);

	xenemu_ctx_close(&e0);
	xenemu_ctx_close(&e1);
	CHECK_EQ(xenemu_domain_stat(tl_dir, 0, &st), 0);
	CHECK_EQ(st.ports, 0);
	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
}

/* --- handles inherited over fork() -------------------------------------------- */

static void
test_fork_close(void)
{
	struct xenemu_ctx shr, evt;
	int port;
	uint32_t r;
	pid_t pid;
	void *p;

	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 64, 64), 0);
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(open_ctx(&evt, 1, XENEMU_SLOT_EVTCHN), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, NONE, NONE, &p), 0);
	port = xenemu_evt_bind_unbound(&evt, 0);
	CHECK(port > 0);
	/* A child closing what it inherited leaves the parent's alone. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		xenemu_ctx_close(&shr);
		xenemu_ctx_close(&evt);
		_exit(0);
	}
	CHECK(tl_child_ok(pid));
	CHECK(ref_used(shr.self, r));
	CHECK_EQ(entry(shr.self, r).flags, GTF_permit_access);
	CHECK(xenemu_evt_port_bound(evt.self, (uint32_t)port));
	((uint8_t *)p)[0] = 1;
	/* The parent's slots are still held: a sweep does not take them. */
	struct xenemu_ctx other;

	CHECK_EQ(open_ctx(&other, 1, XENEMU_SLOT_GNTTAB), 0);
	xenemu_ctx_close(&other);
	CHECK(ref_used(shr.self, r));
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 1), 0);
	CHECK(!ref_used(shr.self, r));
	xenemu_ctx_close(&evt);
	xenemu_ctx_close(&shr);
}

/* --- domain destruction --------------------------------------------------------- */

static void
test_destroy(void)
{
	struct xenemu_ctx shr, tab, shr2, tab0;
	xengnttab_grant_copy_segment_t seg;
	uint32_t r, r2, f2;
	uint8_t *m, out[8];
	void *p;

	CHECK_EQ(share_map_setup(3, 64, 64, &shr, &tab), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &r, true, NONE, NONE, &p), 0);
	memset(p, 0x31, PG);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r, PROT_READ | PROT_WRITE, NONE, NONE, &p), 0);
	m = p;

	/* The granter goes away: existing maps stay, new use fails. */
	CHECK_EQ(xenemu_domain_destroy(tl_dir, 1), 0);
	CHECK_EQ(m[0], 0x31);
	m[1] = 0x32;
	CHECK_EQ(m[1], 0x32);
	seg = seg_from_grant(1, r, 0, out, 8);
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, &seg), 0);
	CHECK_EQ(seg.status, GNTST_bad_domain);
	CHECK_EQ(xenemu_gnt_map(&tab, 1, NULL, 1, &r, PROT_READ, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_gnt_unmap(&tab, m, 1), 0);
	/* The sharer's handle still closes cleanly. */
	xenemu_ctx_close(&shr);
	/* A new domain 1 is a different domain: old refs mean nothing. */
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 64, 64), 0);
	CHECK_EQ(xenemu_gnt_copy(&tab, 1, &seg), 0);
	CHECK_EQ(seg.status, GNTST_general_error);

	/* The mapper goes away: its pins on domain 2 are released. */
	CHECK_EQ(open_ctx(&shr2, 2, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(xenemu_shr_share(&shr2, 0, 1, &r2, true, NONE, NONE, &p), 0);
	f2 = entry(shr2.self, r2).frame;
	CHECK_EQ(open_ctx(&tab0, 0, XENEMU_SLOT_GNTTAB), 0);
	void *q;

	CHECK_EQ(xenemu_gnt_map(&tab0, 1, NULL, 2, &r2, PROT_READ, NONE, NONE, &q), 0);
	CHECK_EQ(xenemu_domain_destroy(tl_dir, 0), 0);
	CHECK_EQ(shr2.self->active[r2], 0);
	CHECK_EQ(xenemu_shr_unshare(&shr2, p, 1), 0);
	CHECK(!page_used(shr2.self, f2));
	/* The dead domain's own handle unmaps without a double release. */
	CHECK_EQ(xenemu_gnt_unmap(&tab0, q, 1), 0);
	CHECK_EQ(shr2.self->active[r2], 0);
	xenemu_ctx_close(&tab0);
	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr2);
}

/* --- limits ----------------------------------------------------------------------- */

static void
test_limits(void)
{
	struct xenemu_ctx shr;
	uint32_t refs[16];
	void *p, *q;

	/* 16 grants of which 8 are reserved; 12 pages. */
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 16, 12), 0);
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 9, refs, true, NONE, NONE, &p), -ENOSPC);
	CHECK_EQ(used_pages(shr.self), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 13, refs, true, NONE, NONE, &p), -EINVAL);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 8, refs, true, NONE, NONE, &p), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, refs + 8, true, NONE, NONE, &q), -ENOSPC);
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 8), 0);
	CHECK_EQ(used_pages(shr.self), 0);
	xenemu_ctx_close(&shr);

	CHECK_EQ(xenemu_domain_create(tl_dir, 2, 64, 4), 0);
	CHECK_EQ(open_ctx(&shr, 2, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 3, refs, true, NONE, NONE, &p), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 2, refs + 3, true, NONE, NONE, &q), -ENOMEM);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, refs + 3, true, NONE, NONE, &q), 0);
	/* Not contiguous any more after a hole: still one mapping. */
	CHECK_EQ(xenemu_shr_unshare(&shr, (uint8_t *)p + PG, 1), 0);
	CHECK_EQ(xenemu_shr_unshare(&shr, q, 1), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 2, refs + 3, true, NONE, NONE, &q), 0);
	memset(q, 0x12, 2 * PG);
	CHECK_EQ(xenemu_shr_unshare(&shr, q, 2), 0);
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 3), 0);
	CHECK_EQ(used_pages(shr.self), 0);
	xenemu_ctx_close(&shr);
}

/* --- copies racing with unshare ----------------------------------------------------- */

/*
 * The sharer publishes (generation << 32 | ref) of the grant it currently
 * shares: a new page, filled, then published, then the old one unshared.
 * Refs are reused at once (as on Xen), so a copier's stale ref may name a
 * newer grant; only a copy made entirely within one publication must see
 * the published page's contents. Any copy must either succeed or fail with
 * GNTST_general_error (access ended), never read a page after it is freed.
 */
struct race {
	struct xenemu_ctx *tab;
	uint64_t pub;
	volatile int stop;
	unsigned long ok, checked, failed, bad;
};

static void *
copier(void *arg)
{
	struct race *rc = arg;
	xengnttab_grant_copy_segment_t seg;
	uint64_t before, after;
	uint8_t buf[64];

	while (!rc->stop) {
		before = __atomic_load_n(&rc->pub, __ATOMIC_ACQUIRE);
		seg = seg_from_grant(1, (uint32_t)before, 0, buf, sizeof(buf));
		if (xenemu_gnt_copy(rc->tab, 1, &seg) != 0) {
			rc->bad++;
			continue;
		}
		after = __atomic_load_n(&rc->pub, __ATOMIC_ACQUIRE);
		if (seg.status == GNTST_okay) {
			rc->ok++;
			if (before == after) {
				rc->checked++;
				if (buf[0] != 0xC5 || buf[63] != 0xC5)
					rc->bad++;
			}
		} else if (seg.status == GNTST_general_error) {
			rc->failed++;
		} else {
			rc->bad++;
		}
	}
	return NULL;
}

static void
test_copy_race(void)
{
	struct xenemu_ctx shr, tab;
	struct race rc = { .tab = &tab };
	uint32_t ref, i;
	pthread_t th;
	void *p;

	/* Few pages, so that freed pages are reused at once. */
	CHECK_EQ(xenemu_domain_create(tl_dir, 0, 64, 64), 0);
	CHECK_EQ(xenemu_domain_create(tl_dir, 1, 64, 4), 0);
	CHECK_EQ(open_ctx(&shr, 1, XENEMU_SLOT_GNTSHR), 0);
	CHECK_EQ(open_ctx(&tab, 0, XENEMU_SLOT_GNTTAB), 0);
	CHECK_EQ(xenemu_shr_share(&shr, 0, 1, &ref, true, NONE, NONE, &p), 0);
	memset(p, 0xC5, PG);
	rc.pub = ref;
	CHECK_EQ(pthread_create(&th, NULL, copier, &rc), 0);
	for (i = 1; i <= 3000; i++) {
		uint32_t nref;
		void *np;

		if (xenemu_shr_share(&shr, 0, 1, &nref, true, NONE, NONE, &np) != 0)
			break;
		memset(np, 0xC5, PG);
		__atomic_store_n(&rc.pub, (uint64_t)i << 32 | nref, __ATOMIC_RELEASE);
		if (xenemu_shr_unshare(&shr, p, 1) != 0)
			break;
		p = np;
	}
	rc.stop = 1;
	pthread_join(th, NULL);
	CHECK_EQ(i, 3001);
	CHECK_EQ(rc.bad, 0);
	CHECK(rc.checked > 0);
	CHECK_EQ(xenemu_shr_unshare(&shr, p, 1), 0);
	/* Every pin was dropped and every page and ref retired. */
	CHECK_EQ(used_pages(shr.self), 0);
	for (i = 0; i < shr.self->max_grants; i++)
		CHECK_EQ(shr.self->active[i], 0);
	fprintf(stderr, "   copies ok %lu (checked %lu), refused %lu\n",
		rc.ok, rc.checked, rc.failed);
	xenemu_ctx_close(&tab);
	xenemu_ctx_close(&shr);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tl_begin(120);
	RUN(test_domain_lifecycle);
	RUN(test_map_copy);
	RUN(test_unshare_while_mapped);
	RUN(test_notify);
	RUN(test_dead_process_reclaim);
	RUN(test_fork_close);
	RUN(test_destroy);
	RUN(test_limits);
	RUN(test_copy_race);
	RUN(test_domain_stat);
	return tl_end();
}
