/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Sequence tracking, one state per stream id.
 *
 * Each stream numbers its frames 0, 1, 2, ... A bitmap window of the last
 * XT_SEQ_WIN sequence numbers below "next" (one past the highest seen) records
 * which arrived, so a frame is classified exactly:
 *   seq == next          in order
 *   seq >  next          the numbers skipped are counted lost (for now)
 *   seq <  next, unseen  reordered: it was counted lost, now it is not
 *   seq <  next, seen    duplicate
 *   seq <= next - WIN    late: too old to tell a duplicate from a reordering
 * Invariant: unique + lost == sum over streams of next (late frames aside).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define XT_SEQ_WIN	(1u << 16)		/* sequence numbers remembered */
#define XT_SEQ_WORDS	(XT_SEQ_WIN / 64)

/* The state of one stream. */
struct xt_seq_stream {
	uint64_t next;			/* one past the highest sequence number seen */
	uint64_t seen[XT_SEQ_WORDS];	/* bit (s % WIN): s arrived, for s in [next-WIN, next) */
};

struct xt_seq_table {
	struct xt_seq_stream s[XT_MAX_STREAMS];
};

struct xt_seq_table *
xt_seq_create(void)
{
	return calloc(1, sizeof(struct xt_seq_table));
}

void
xt_seq_destroy(struct xt_seq_table *t)
{
	free(t);
}

static inline bool
xt_seq_test(const struct xt_seq_stream *s, uint64_t seq)
{
	uint32_t b = (uint32_t)(seq % XT_SEQ_WIN);

	return (s->seen[b / 64] >> (b % 64)) & 1;
}

static inline void
xt_seq_set(struct xt_seq_stream *s, uint64_t seq)
{
	uint32_t b = (uint32_t)(seq % XT_SEQ_WIN);

	s->seen[b / 64] |= UINT64_C(1) << (b % 64);
}

static inline void
xt_seq_clear(struct xt_seq_stream *s, uint64_t seq)
{
	uint32_t b = (uint32_t)(seq % XT_SEQ_WIN);

	s->seen[b / 64] &= ~(UINT64_C(1) << (b % 64));
}

int
xt_seq_rx(struct xt_seq_table *t, uint16_t stream, uint64_t seq,
	  struct xt_rx_stats *st)
{
	struct xt_seq_stream *s;
	uint64_t i;

	if (stream >= XT_MAX_STREAMS)
		return -EINVAL;
	s = &t->s[stream];

	if (likely(seq == s->next)) {
		xt_seq_set(s, seq);
		s->next = seq + 1;
		return 0;
	}
	if (seq > s->next) {
		/* The skipped numbers enter the window as "not seen". */
		st->lost += seq - s->next;
		if (seq - s->next >= XT_SEQ_WIN)
			memset(s->seen, 0, sizeof(s->seen));
		else
			for (i = s->next; i < seq; i++)
				xt_seq_clear(s, i);
		xt_seq_set(s, seq);
		s->next = seq + 1;
		return 0;
	}
	if (s->next - seq > XT_SEQ_WIN) {
		st->late++;
		return 0;
	}
	if (xt_seq_test(s, seq)) {
		st->dup++;
		return 0;
	}
	xt_seq_set(s, seq);
	st->reordered++;
	st->lost--;
	return 0;
}

uint64_t
xt_seq_span(const struct xt_seq_table *t)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < XT_MAX_STREAMS; i++)
		sum += t->s[i].next;
	return sum;
}
