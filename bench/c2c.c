/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * c2c: the round-trip time of one cache line between two CPUs.
 *
 * Two threads, pinned to the two CPUs, take turns incrementing a counter in
 * one cache line: the pinger writes an odd value and spins until it sees the
 * next even one, the ponger answers each odd value with the following even
 * one. One round trip moves the line there and back. bench/run.sh prints the
 * figure next to each throughput result, because on this machine the host
 * moves our two vCPUs between "near" and "far" placements for minutes at a
 * time, which changes every two-process result about threefold.
 *
 * Usage: c2c [--cpus A,B] [--iters N] [--batches K]
 * Prints a sentence and a last line "rtt_ns=<median over the batches>".
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "optab.h"

#define C2C_LINE	64
#define C2C_MAX_BATCHES	101

/* The line the two threads bounce, alone in its cache line. */
struct c2c_line {
	uint64_t seq;	/* odd: written by the pinger; even: by the ponger */
	uint8_t pad[C2C_LINE - sizeof(uint64_t)];
} __attribute__((aligned(C2C_LINE)));

struct c2c_ctx {
	struct c2c_line line;
	int cpu_ping;
	int cpu_pong;
	uint64_t iters;		/* round trips per batch */
	unsigned int batches;
	uint64_t total;		/* round trips in all batches (the ponger's stop) */
	double ns[C2C_MAX_BATCHES];
	int err;		/* affinity failure in the ponger */
	int ready;		/* ponger: 1 pinned and waiting, -1 failed */
};

static int
c2c_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static double
c2c_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline void
c2c_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void *
c2c_pong(void *arg)
{
	struct c2c_ctx *c = arg;
	uint64_t want = 1, last = 2 * c->total - 1;

	c->err = c2c_pin(c->cpu_pong);
	/* Release: err is visible to whoever sees ready. */
	__atomic_store_n(&c->ready, c->err != 0 ? -1 : 1, __ATOMIC_RELEASE);
	if (c->err != 0)
		return NULL;
	for (;;) {
		/* Acquire: pairs with the pinger's release of the odd value. */
		while (__atomic_load_n(&c->line.seq, __ATOMIC_ACQUIRE) != want)
			c2c_relax();
		__atomic_store_n(&c->line.seq, want + 1, __ATOMIC_RELEASE);
		if (want == last)
			break;
		want += 2;
	}
	return NULL;
}

static int
c2c_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
c2c_usage(FILE *f)
{
	fprintf(f, "Usage: c2c [--cpus A,B] [--iters N] [--batches K]\n"
		"Cache-line round trip between CPUs A and B (default 0,1): K batches\n"
		"(1..%d, default 7) of N round trips (default 100000); prints the median.\n",
		C2C_MAX_BATCHES);
}

int
main(int argc, char **argv)
{
	enum { O_CPUS, O_ITERS, O_BATCHES, O_HELP };
	static const struct optab_row opts[] = {
		[O_CPUS] = { "cpus", 0, true },
		[O_ITERS] = { "iters", 0, true },
		[O_BATCHES] = { "batches", 0, true },
		[O_HELP] = { "help", 'h', false },
	};
	static struct c2c_ctx c;
	const char *arg;
	struct optab t;
	pthread_t th;
	uint64_t v, seq = 1;
	unsigned int i;
	int opt, a, b, n, ret;

	c.cpu_ping = 0;
	c.cpu_pong = 1;
	c.iters = 100000;
	c.batches = 7;
	optab_init_rows(&t, 0, opts, sizeof(opts) / sizeof(opts[0]));
	while ((opt = optab_next(&t, argc, argv, &arg)) != OPTAB_END) {
		switch (opt) {
		case O_CPUS:
			n = 0;
			if (sscanf(arg, "%d,%d%n", &a, &b, &n) != 2 ||
			    arg[n] != '\0' || a < 0 || b < 0 || a == b ||
			    a >= CPU_SETSIZE || b >= CPU_SETSIZE) {
				fprintf(stderr, "c2c: --cpus '%s': want two different "
					"CPU numbers, A,B\n", arg);
				return 1;
			}
			c.cpu_ping = a;
			c.cpu_pong = b;
			break;
		case O_ITERS:
			if (optab_uint(arg, 1000, 100000000, false, &c.iters) != 0) {
				fprintf(stderr, "c2c: --iters '%s': want 1000..100000000\n",
					arg);
				return 1;
			}
			break;
		case O_BATCHES:
			if (optab_uint(arg, 1, C2C_MAX_BATCHES, false, &v) != 0) {
				fprintf(stderr, "c2c: --batches '%s': want 1..%d\n",
					arg, C2C_MAX_BATCHES);
				return 1;
			}
			c.batches = (unsigned int)v;
			break;
		case O_HELP:
			c2c_usage(stdout);
			return 0;
		default:
			c2c_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "c2c: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}

	ret = c2c_pin(c.cpu_ping);
	if (ret != 0) {
		fprintf(stderr, "c2c: cannot run on CPU %d: %s\n", c.cpu_ping,
			strerror(ret));
		return 1;
	}
	c.total = c.iters * c.batches;
	ret = pthread_create(&th, NULL, c2c_pong, &c);
	if (ret != 0) {
		fprintf(stderr, "c2c: pthread_create: %s\n", strerror(ret));
		return 1;
	}
	while ((ret = __atomic_load_n(&c.ready, __ATOMIC_ACQUIRE)) == 0)
		c2c_relax();
	for (i = 0; i < c.batches && ret > 0; i++) {
		double t0 = c2c_now_ns();
		uint64_t k;

		for (k = 0; k < c.iters; k++, seq += 2) {
			/* Release: the ponger may read the line only after this. */
			__atomic_store_n(&c.line.seq, seq, __ATOMIC_RELEASE);
			while (__atomic_load_n(&c.line.seq, __ATOMIC_ACQUIRE) != seq + 1)
				c2c_relax();
		}
		c.ns[i] = (c2c_now_ns() - t0) / (double)c.iters;
	}
	pthread_join(th, NULL);
	if (ret < 0) {
		fprintf(stderr, "c2c: cannot run on CPU %d: %s\n", c.cpu_pong,
			strerror(c.err));
		return 1;
	}
	qsort(c.ns, c.batches, sizeof(c.ns[0]), c2c_cmp);
	printf("c2c: CPU %d <-> CPU %d: cache-line round trip %.1f ns "
	       "(median of %u batches of %llu; min %.1f, max %.1f)\n",
	       c.cpu_ping, c.cpu_pong, c.ns[c.batches / 2], c.batches,
	       (unsigned long long)c.iters, c.ns[0], c.ns[c.batches - 1]);
	printf("rtt_ns=%.1f\n", c.ns[c.batches / 2]);
	return 0;
}
