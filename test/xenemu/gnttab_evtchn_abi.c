/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ABI drop-in test: built only against Debian's xengnttab.h/xenevtchn.h and
 * linked against Debian's real libxengnttab, libxenevtchn and libxenstore;
 * run by gnttab_evtchn_abi.sh with LD_LIBRARY_PATH pointing at xenemu's
 * libraries, as two processes in two domains talking over two pipes:
 *
 *   dom1 (the granting side, a frontend's role): shares pages, allocates an
 *        unbound port, answers events;
 *   dom0 (the mapping side, a backend's role): maps, writes, grant-copies
 *        both ways, binds and ping-pongs events, and checks that every error
 *        case returns what Xen 4.17 with Linux's gntdev/evtchn returns.
 *
 * Each process first checks that the libraries it runs on are xenemu's, in
 * $XENEMU_EXPECT_LIBDIR, and not Debian's.
 *
 * Usage: gnttab_evtchn_abi dom1|dom0   (protocol on stdin/stdout)
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>
#include <xenevtchn.h>
#include <xenstore.h>

#include "gntcopy_seg.h"

#define PAGE 4096
#define ROUNDS 500
#define NO_SUCH_DOMAIN 5
#define HUGE_REF 0x7fffffffu

static const char *role = "?";

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL: ", role);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

#define EXPECT(cond) do { \
	if (!(cond)) \
		die("line %d: %s (errno %d %s)", __LINE__, #cond, errno, strerror(errno)); \
} while (0)

/* A call returning a pointer must fail with NULL and errno e. */
#define EXPECT_NULL(call, e) do { \
	void *r_; \
	errno = 0; \
	r_ = (void *)(call); \
	if (r_ != NULL) \
		die("line %d: %s succeeded", __LINE__, #call); \
	if (errno != (e)) \
		die("line %d: %s: errno %d, want %d", __LINE__, #call, errno, (e)); \
} while (0)

/* A call returning an int must fail with -1 and errno e. */
#define EXPECT_ERR(call, e) do { \
	int r_; \
	errno = 0; \
	r_ = (call); \
	if (r_ != -1) \
		die("line %d: %s returned %d", __LINE__, #call, r_); \
	if (errno != (e)) \
		die("line %d: %s: errno %d, want %d", __LINE__, #call, errno, (e)); \
} while (0)

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
hear(const char *word, char *line, size_t len)
{
	if (fgets(line, (int)len, stdin) == NULL)
		die("peer hung up waiting for %s", word);
	if (strncmp(line, word, strlen(word)) != 0)
		die("expected %s, got %s", word, line);
}

/* The libraries this process runs on must be xenemu's. */
static void
check_libs(void)
{
	const char *want = getenv("XENEMU_EXPECT_LIBDIR");
	char line[PATH_MAX + 256], real[PATH_MAX];
	int found = 0;
	FILE *f;

	if (want == NULL || realpath(want, real) == NULL)
		die("XENEMU_EXPECT_LIBDIR not set or invalid");
	f = fopen("/proc/self/maps", "r");
	EXPECT(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *path = strchr(line, '/');

		if (path == NULL ||
		    (strstr(path, "/libxengnttab.so") == NULL &&
		     strstr(path, "/libxenevtchn.so") == NULL))
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (strncmp(path, real, strlen(real)) != 0 || path[strlen(real)] != '/')
			die("loaded %s, not from %s", path, real);
		found |= strstr(path, "gnttab") != NULL ? 1 : 2;
	}
	fclose(f);
	if (found != 3)
		die("libxengnttab/libxenevtchn not both mapped (%d)", found);
}

static int
wait_port(xenevtchn_handle *xe, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xe), .events = POLLIN };
	int n = poll(&pfd, 1, ms);

	if (n != 1)
		return -1;
	return xenevtchn_pending(xe);
}

static uint8_t
pattern(unsigned int page, unsigned int i)
{
	return (uint8_t)(page * 31 + i * 7 + 3);
}

/* What dom0 writes over page 0. */
static uint8_t
inverted(unsigned int page, unsigned int i)
{
	return (uint8_t)~pattern(page, i);
}

/* --- dom1: shares, answers ------------------------------------------------- */

static int
run_dom1(void)
{
	uint32_t w[4], r, o, n;
	uint8_t *data, *ro, *oth, *nt, buf[1500];
	xengntshr_handle *gs;
	xenevtchn_handle *xe;
	char line[256];
	int port, i, j, rounds;

	gs = xengntshr_open(NULL, 0);
	EXPECT(gs != NULL);
	EXPECT(xengntshr_fd(gs) >= 0);
	xe = xenevtchn_open(NULL, 0);
	EXPECT(xe != NULL);
	port = xenevtchn_bind_unbound_port(xe, 0);
	EXPECT(port > 0);

	data = xengntshr_share_pages(gs, 0, 4, w, 1);
	EXPECT(data != NULL);
	for (i = 0; i < 4; i++)
		for (j = 0; j < PAGE; j++) {
			EXPECT(data[i * PAGE + j] == 0);
			data[i * PAGE + j] = pattern(i, j);
		}
	ro = xengntshr_share_pages(gs, 0, 1, &r, 0);
	EXPECT(ro != NULL);
	memset(ro, 0x11, PAGE);
	oth = xengntshr_share_pages(gs, 2, 1, &o, 1);
	EXPECT(oth != NULL);
	nt = xengntshr_share_page_notify(gs, 0, &n, 1, 100, port);
	EXPECT(nt != NULL);
	nt[100] = 0x99;
	EXPECT_NULL(xengntshr_share_pages(gs, 0, 0, &n, 1), EINVAL);
	EXPECT_NULL(xengntshr_share_page_notify(gs, 0, &n, 1, 0, 4000), EINVAL);
	say("GRANTS %u %u %u %u %u %u %u %d", w[0], w[1], w[2], w[3], r, o, n, port);

	hear("PINGPONG", line, sizeof(line));
	rounds = atoi(line + 9);
	for (i = 0; i < rounds; i++) {
		EXPECT(wait_port(xe, 10000) == port);
		EXPECT(xenevtchn_unmask(xe, port) == 0);
		EXPECT(xenevtchn_notify(xe, port) == 0);
	}
	say("PONGDONE");

	/* What dom0 wrote: page 0 through its mapping, 1500 bytes copied
	 * into page 1 at 100, page 2 copied onto page 3. */
	hear("CHECK", line, sizeof(line));
	for (j = 0; j < PAGE; j++)
		EXPECT(data[j] == inverted(0, j));
	for (j = 0; j < 1500; j++)
		buf[j] = (uint8_t)(j ^ 0x5a);
	EXPECT(memcmp(data + PAGE + 100, buf, sizeof(buf)) == 0);
	EXPECT(data[PAGE + 99] == pattern(1, 99));
	EXPECT(memcmp(data + 3 * PAGE, data + 2 * PAGE, PAGE) == 0);
	EXPECT(ro[0] == 0x11 && ro[PAGE - 1] == 0x11);
	EXPECT(oth[0] == 0);
	say("CHECKED");

	/* Unshare a page dom0 has mapped: byte 100 cleared, event sent. */
	hear("MAPPED", line, sizeof(line));
	EXPECT(xengntshr_unshare(gs, nt, 1) == 0);
	say("UNSHARED");

	/* dom0 mapped page 0 with a notify and unmapped it. */
	hear("NOTIFYMAP", line, sizeof(line));
	EXPECT(wait_port(xe, 10000) == port);
	EXPECT(xenevtchn_unmask(xe, port) == 0);
	EXPECT(data[8] == 0);
	EXPECT(data[9] == inverted(0, 9));
	say("NOTIFYOK");

	hear("BYE", line, sizeof(line));
	EXPECT(xengntshr_unshare(gs, data, 4) == 0);
	EXPECT(xengntshr_unshare(gs, ro, 1) == 0);
	EXPECT(xengntshr_unshare(gs, oth, 1) == 0);
	EXPECT(xenevtchn_unbind(xe, port) == 0);
	EXPECT_ERR(xenevtchn_unbind(xe, port), ENOTCONN);
	EXPECT(xenevtchn_close(xe) == 0);
	EXPECT(xengntshr_close(gs) == 0);
	say("DONE");
	return 0;
}

/* --- dom0: maps, copies, binds, checks errors --------------------------------- */

static int
run_dom0(void)
{
	uint32_t w[4], r, o, n, refs[2], domids[2];
	uint8_t *m, *p, local[PAGE], out[PAGE];
	xengnttab_grant_copy_segment_t seg[6];
	xengnttab_handle *gt;
	xenevtchn_handle *xe;
	char line[256];
	int rport, lport, i, j;

	hear("GRANTS", line, sizeof(line));
	if (sscanf(line, "GRANTS %u %u %u %u %u %u %u %d", &w[0], &w[1], &w[2], &w[3],
		   &r, &o, &n, &rport) != 8)
		die("bad GRANTS line %s", line);
	gt = xengnttab_open(NULL, 0);
	EXPECT(gt != NULL);
	EXPECT(xengnttab_fd(gt) >= 0);
	EXPECT(xengnttab_set_max_grants(gt, 128) == 0);
	xe = xenevtchn_open(NULL, 0);
	EXPECT(xe != NULL);

	/* Four refs, one contiguous mapping. */
	m = xengnttab_map_domain_grant_refs(gt, 4, 1, w, PROT_READ | PROT_WRITE);
	EXPECT(m != NULL);
	for (i = 0; i < 4; i++)
		for (j = 0; j < PAGE; j++)
			EXPECT(m[i * PAGE + j] == pattern(i, j));
	for (j = 0; j < PAGE; j++)
		m[j] = inverted(0, j);
	EXPECT_ERR(xengnttab_unmap(gt, m, 3), EINVAL);

	/* Mapping: read-only grants, others' grants, bad refs and domains. */
	p = xengnttab_map_grant_ref(gt, 1, r, PROT_READ);
	EXPECT(p != NULL && p[7] == 0x11);
	EXPECT(xengnttab_unmap(gt, p, 1) == 0);
	EXPECT_NULL(xengnttab_map_grant_ref(gt, 1, r, PROT_READ | PROT_WRITE), EINVAL);
	EXPECT_NULL(xengnttab_map_grant_ref(gt, 1, o, PROT_READ), EINVAL);
	EXPECT_NULL(xengnttab_map_grant_ref(gt, 1, HUGE_REF, PROT_READ), EINVAL);
	EXPECT_NULL(xengnttab_map_grant_ref(gt, NO_SUCH_DOMAIN, w[0], PROT_READ), EINVAL);
	domids[0] = domids[1] = 1;
	refs[0] = w[2];
	refs[1] = w[3];
	p = xengnttab_map_grant_refs(gt, 2, domids, refs, PROT_READ);
	EXPECT(p != NULL && p[PAGE + 5] == pattern(3, 5));
	EXPECT(xengnttab_unmap(gt, p, 2) == 0);

	/* Copies: each segment gets Xen's status; a bad one fails alone. */
	for (j = 0; j < 1500; j++)
		local[j] = (uint8_t)(j ^ 0x5a);
	memset(seg, 0, sizeof(seg));
	seg[0] = seg_from_grant(1, w[0], 0, out, PAGE);         /* grant -> local */
	seg[1] = seg_to_grant(local, 1, r, 0, 64);              /* into read-only */
	seg[2] = seg_to_grant(local, 1, w[1], 100, 1500);       /* local -> grant */
	seg[3] = seg[0];                                        /* unknown ref */
	seg[3].source.foreign.ref = HUGE_REF;
	seg[4] = seg[0];                                        /* no such domain */
	seg[4].source.foreign.domid = NO_SUCH_DOMAIN;
	seg[5] = seg_grant_to_grant(1, w[2], 0, 1, w[3], 0, PAGE); /* grant -> grant */
	EXPECT(xengnttab_grant_copy(gt, 6, seg) == 0);
	EXPECT(seg[0].status == GNTST_okay);
	for (j = 0; j < PAGE; j++)
		EXPECT(out[j] == inverted(0, j));
	EXPECT(seg[1].status == GNTST_general_error);
	EXPECT(seg[2].status == GNTST_okay);
	EXPECT(seg[3].status == GNTST_bad_gntref);
	EXPECT(seg[4].status == GNTST_bad_domain);
	EXPECT(seg[5].status == GNTST_okay);
	/* Read-only grants can be read; others' grants cannot. */
	seg[0].source.foreign.ref = r;
	seg[0].len = 16;
	seg[1] = seg[0];
	seg[1].source.foreign.ref = o;
	EXPECT(xengnttab_grant_copy(gt, 2, seg) == 0);
	EXPECT(seg[0].status == GNTST_okay && out[15] == 0x11);
	EXPECT(seg[1].status == GNTST_general_error);
	/* Past the page end: gntdev fails the whole call. */
	seg[0].source.foreign.offset = 4000;
	seg[0].len = 200;
	EXPECT_ERR(xengnttab_grant_copy(gt, 1, seg), EINVAL);
	seg[0].flags = 0;                                       /* local -> local */
	seg[0].source.virt = local;
	seg[0].len = 8;
	EXPECT_ERR(xengnttab_grant_copy(gt, 1, seg), EINVAL);
	EXPECT_ERR(xengnttab_dmabuf_imp_release(gt, 3), ENOSYS);

	/* Events: Xen's binding rules, then a ping-pong. */
	lport = xenevtchn_bind_interdomain(xe, 1, rport);
	EXPECT(lport > 0);
	EXPECT(wait_port(xe, 10000) == lport);          /* Xen's initial event */
	EXPECT(xenevtchn_unmask(xe, lport) == 0);
	EXPECT_ERR(xenevtchn_bind_interdomain(xe, 1, rport), EINVAL);
	EXPECT_ERR(xenevtchn_bind_interdomain(xe, 1, 4000), EINVAL);
	EXPECT_ERR(xenevtchn_bind_interdomain(xe, NO_SUCH_DOMAIN, 1), ESRCH);
	EXPECT_ERR(xenevtchn_notify(xe, 4000), ENOTCONN);
	EXPECT_ERR(xenevtchn_unbind(xe, 4000), ENOTCONN);
	EXPECT_ERR(xenevtchn_bind_virq(xe, 0), ENOSYS);
	EXPECT_NULL(xenevtchn_fdopen(NULL, 0, 0), ENOSYS);
	say("PINGPONG %d", ROUNDS);
	for (i = 0; i < ROUNDS; i++) {
		EXPECT(xenevtchn_notify(xe, lport) == 0);
		EXPECT(wait_port(xe, 10000) == lport);
		EXPECT(xenevtchn_unmask(xe, lport) == 0);
	}
	hear("PONGDONE", line, sizeof(line));

	say("CHECK");
	hear("CHECKED", line, sizeof(line));

	/* The granter unshares a page we map: it stays ours until we unmap,
	 * and its notify clears byte 100 and signals us. */
	p = xengnttab_map_grant_ref(gt, 1, n, PROT_READ | PROT_WRITE);
	EXPECT(p != NULL && p[100] == 0x99);
	say("MAPPED");
	hear("UNSHARED", line, sizeof(line));
	EXPECT(wait_port(xe, 10000) == lport);
	EXPECT(xenevtchn_unmask(xe, lport) == 0);
	EXPECT(p[100] == 0);
	p[200] = 1;
	EXPECT(xengnttab_unmap(gt, p, 1) == 0);
	EXPECT_NULL(xengnttab_map_grant_ref(gt, 1, n, PROT_READ), EINVAL);

	/* Our own unmap notify: clear byte 8 of page 0, signal dom1. */
	p = xengnttab_map_grant_ref_notify(gt, 1, w[0], PROT_READ | PROT_WRITE, 8, lport);
	EXPECT(p != NULL);
	EXPECT(xengnttab_unmap(gt, p, 1) == 0);
	say("NOTIFYMAP");
	hear("NOTIFYOK", line, sizeof(line));

	/* dom1 unbinds: our end becomes unbound, notifies are dropped. */
	say("BYE");
	hear("DONE", line, sizeof(line));
	EXPECT(xenevtchn_notify(xe, lport) == 0);
	EXPECT(wait_port(xe, 100) == -1);
	EXPECT(xengnttab_unmap(gt, m, 4) == 0);
	EXPECT(xenevtchn_unbind(xe, lport) == 0);
	EXPECT(xenevtchn_close(xe) == 0);
	EXPECT(xengnttab_close(gt) == 0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "dom0") != 0 && strcmp(argv[1], "dom1") != 0)) {
		fprintf(stderr, "usage: %s dom0|dom1\n", argv[0]);
		return 2;
	}
	role = argv[1];
	/* Linked against the real libxenstore too, as a driver is; the
	 * symbol reference keeps the link. */
	if (getenv("XENEMU_ABI_XS_PROBE") != NULL) {
		struct xs_handle *xs = xs_open(XS_OPEN_READONLY);

		if (xs != NULL)
			xs_close(xs);
	}
	check_libs();
	if (strcmp(role, "dom1") == 0)
		return run_dom1();
	return run_dom0();
}
