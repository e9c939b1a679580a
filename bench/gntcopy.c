/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of xenemu's xengnttab_grant_copy, the backend's hot path:
 * nanoseconds per segment for 64 B and 1500 B segments, in both directions
 * (grant -> local, as netback's guest-TX path; local -> grant, as its
 * guest-RX path), against plain memcpy of the same bytes between the same
 * buffers, in the same run. Runs are interleaved (memcpy, grant copy,
 * memcpy, ...) and the best of each is reported, since this shared machine's
 * speed drifts over time (BLUEPRINT.md section 7).
 *
 * It runs in one process: domain 1 shares pages (xengntshr), domain 0 copies
 * (xengnttab), through xenemu's libxengnttab.so, in a temporary instance.
 *
 * Usage: xenemu-gntcopy-bench [-b batch] [-r rounds] [-t ms-per-run]
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xengnttab.h>

#include "xenemu_core.h"

#define PAGE 4096
#define NPAGES 64
#define MAX_BATCH 256

static unsigned int batch = 32;
static unsigned int rounds = 5;
static unsigned int run_ms = 200;

static uint8_t *pages;          /* domain 1's shared pages, as it sees them */
static uint32_t refs[NPAGES];
static uint8_t local[MAX_BATCH][2048] __attribute__((aligned(64)));

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Segment i of a batch uses page i % NPAGES at an offset that keeps
 * len bytes inside the page, and local buffer i. */
static void
fill_segs(xengnttab_grant_copy_segment_t *segs, unsigned int len, int to_grant)
{
	unsigned int i;

	memset(segs, 0, sizeof(*segs) * batch);
	for (i = 0; i < batch; i++) {
		uint16_t off = (uint16_t)((i * 64) % (PAGE - len + 1));

		if (to_grant) {
			segs[i].flags = GNTCOPY_dest_gref;
			segs[i].source.virt = local[i];
			segs[i].dest.foreign.domid = 1;
			segs[i].dest.foreign.ref = refs[i % NPAGES];
			segs[i].dest.foreign.offset = off;
		} else {
			segs[i].flags = GNTCOPY_source_gref;
			segs[i].source.foreign.domid = 1;
			segs[i].source.foreign.ref = refs[i % NPAGES];
			segs[i].source.foreign.offset = off;
			segs[i].dest.virt = local[i];
		}
		segs[i].len = (uint16_t)len;
	}
}

/* ns per segment of grant copy for run_ms. */
static double
run_gntcopy(xengnttab_handle *gt, unsigned int len, int to_grant)
{
	xengnttab_grant_copy_segment_t segs[MAX_BATCH];
	uint64_t t0, t1, n = 0;
	unsigned int i;

	fill_segs(segs, len, to_grant);
	t0 = now_ns();
	do {
		for (i = 0; i < 64; i++) {
			if (xengnttab_grant_copy(gt, batch, segs) != 0 ||
			    segs[batch - 1].status != GNTST_okay) {
				fprintf(stderr, "grant copy failed: %s / status %d\n",
					strerror(errno), segs[batch - 1].status);
				exit(1);
			}
		}
		n += 64u * batch;
		t1 = now_ns();
	} while (t1 - t0 < run_ms * 1000000ull);
	return (double)(t1 - t0) / (double)n;
}

/* ns per segment of memcpy between the same buffers, for run_ms. */
static double
run_memcpy(unsigned int len, int to_grant)
{
	uint64_t t0, t1, n = 0;
	unsigned int i, k;
	uint8_t *pg;

	t0 = now_ns();
	do {
		for (k = 0; k < 64; k++) {
			for (i = 0; i < batch; i++) {
				pg = pages + (size_t)(i % NPAGES) * PAGE + (i * 64) % (PAGE - len + 1);
				if (to_grant)
					memcpy(pg, local[i], len);
				else
					memcpy(local[i], pg, len);
			}
			/* Keep the copies: the compiler must not drop them. */
			__asm__ volatile("" : : "r"(pages), "r"(local) : "memory");
		}
		n += 64u * batch;
		t1 = now_ns();
	} while (t1 - t0 < run_ms * 1000000ull);
	return (double)(t1 - t0) / (double)n;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-b batch (1..%d)] [-r rounds] [-t ms-per-run]\n",
		prog, MAX_BATCH);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 64, 1500 };
	char dir[PATH_MAX], buf[32];
	const char *tmp = getenv("TMPDIR");
	xengntshr_handle *gs;
	xengnttab_handle *gt;
	unsigned int s, d, r;
	int opt, rc;

	while ((opt = getopt(argc, argv, "b:r:t:h")) != -1) {
		switch (opt) {
		case 'b': batch = (unsigned int)atoi(optarg); break;
		case 'r': rounds = (unsigned int)atoi(optarg); break;
		case 't': run_ms = (unsigned int)atoi(optarg); break;
		default: usage(argv[0]);
		}
	}
	if (batch == 0 || batch > MAX_BATCH || rounds == 0 || run_ms == 0)
		usage(argv[0]);

	snprintf(dir, sizeof(dir), "%s/xenemu-bench.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = xenemu_domain_create(dir, 0, 0, 0);
	if (rc == 0)
		rc = xenemu_domain_create(dir, 1, 0, 0);
	if (rc != 0) {
		fprintf(stderr, "cannot create domains: %s\n", strerror(-rc));
		rmdir(dir);
		return 1;
	}
	setenv("XENEMU_DIR", dir, 1);
	setenv("XENEMU_DOMID", "1", 1);
	gs = xengntshr_open(NULL, 0);
	pages = gs != NULL ? xengntshr_share_pages(gs, 0, NPAGES, refs, 1) : NULL;
	setenv("XENEMU_DOMID", "0", 1);
	gt = xengnttab_open(NULL, 0);
	if (pages == NULL || gt == NULL) {
		fprintf(stderr, "cannot open xenemu handles: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	memset(pages, 0xa5, (size_t)NPAGES * PAGE);
	memset(local, 0x5a, sizeof(local));

	printf("xenemu grant copy vs memcpy: batch %u, best of %u runs of %u ms\n",
	       batch, rounds, run_ms);
	printf("%-6s %-16s %14s %14s %8s\n", "size", "direction", "gntcopy ns/seg",
	       "memcpy ns/seg", "ratio");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (d = 0; d < 2; d++) {
			double best_g = 1e30, best_m = 1e30, v;

			for (r = 0; r < rounds; r++) {
				v = run_memcpy(sizes[s], d);
				best_m = v < best_m ? v : best_m;
				v = run_gntcopy(gt, sizes[s], d);
				best_g = v < best_g ? v : best_g;
			}
			snprintf(buf, sizeof(buf), "%u B", sizes[s]);
			printf("%-6s %-16s %14.1f %14.1f %7.2fx\n", buf,
			       d ? "local -> grant" : "grant -> local", best_g, best_m,
			       best_g / best_m);
		}
	}
	rc = 0;
out:
	xengnttab_close(gt);
	if (pages != NULL)
		xengntshr_unshare(gs, pages, NPAGES);
	xengntshr_close(gs);
	xenemu_domain_destroy(dir, 1);
	xenemu_domain_destroy(dir, 0);
	if (rmdir(dir + 0) != 0) {
		/* dom/ is left after the domains are gone. */
		char sub[PATH_MAX + 8];

		snprintf(sub, sizeof(sub), "%s/dom", dir);
		rmdir(sub);
		rmdir(dir);
	}
	return rc;
}
