/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * optab: the one command-line option engine of the project's programs
 * (xenemu, xenemu-xenstored, xen-traffic, bench/c2c, and the test peers
 * and test applications through test/lib's tl_opt table). A program lists
 * its options as rows (long name, letter, whether it takes an argument);
 * optab builds getopt_long's tables from them and hands back, one option
 * at a time, the row that matched and its argument. What a value means,
 * its range, the usage text and the wording of errors stay each
 * program's: they differ (exit statuses, prefixes), the mechanics do not.
 *
 * No dependency but libc: built before everything that links it.
 */

#ifndef OPTAB_H
#define OPTAB_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/* Rows of one table, at most (getopt_long needs one array). */
#define OPTAB_MAX 48

/* optab_init() flags */
#define OPTAB_IN_ORDER	1u	/* options end at the first operand ("+"):
				 * what follows is a program's own argv */
#define OPTAB_QUIET	2u	/* getopt prints nothing; the caller words
				 * every error (OPTAB_NO_ARG is told apart) */

/* What optab_next() returns besides a row index. */
enum {
	OPTAB_END = -1,		/* no more options; optind: first operand */
	OPTAB_UNKNOWN = -2,	/* not in the table (argv[optind - 1]);
				 * without OPTAB_QUIET also a missing
				 * argument, which getopt has reported */
	OPTAB_NO_ARG = -3,	/* OPTAB_QUIET: argv[optind - 1] lacks its
				 * argument */
};

/* A table being built, then parsed; the caller owns it (e.g. on stack). */
struct optab {
	struct option longs[OPTAB_MAX + 1];
	char shorts[2 * OPTAB_MAX + 3];	/* "+:" and "x:" per letter */
	char letters[OPTAB_MAX];	/* each row's letter, or 0 */
	bool args[OPTAB_MAX];		/* each row takes an argument */
	unsigned int n;			/* rows added */
	unsigned int nl, ns;		/* used in longs and shorts */
	bool quiet;			/* OPTAB_QUIET */
	bool started;			/* optind reset for this scan */
};

void optab_init(struct optab *t, unsigned int flags);

/*
 * Add a row: long option --@name (NULL: none), short option -@letter (0:
 * none), taking an argument if @arg. Returns its index (0 for the first
 * row added, and so on), or -1 when the table is full.
 */
int optab_add(struct optab *t, const char *name, char letter, bool arg);

/* A row of a program's own table, for optab_init_rows(). */
struct optab_row {
	const char *name;	/* long name without "--", or NULL */
	char letter;		/* short option, or 0 */
	bool arg;		/* takes an argument */
};

/* optab_init(), then optab_add() of @n rows; 0, or -1 if they do not fit. */
int optab_init_rows(struct optab *t, unsigned int flags,
		    const struct optab_row *rows, unsigned int n);

/*
 * The next option of @argv (argv[0] is the program or command name): the
 * index of its row, *@arg its argument (NULL if it takes none); or
 * OPTAB_END, OPTAB_UNKNOWN, OPTAB_NO_ARG. The first call starts a fresh
 * scan of @argv (optind is reset).
 */
int optab_next(struct optab *t, int argc, char **argv, const char **arg);

/*
 * An unsigned decimal in [@min, @max], digits only (no sign, no space),
 * with one k/M/G suffix (x1000, x10^6, x10^9, either case) if @suffix.
 * Returns 0 and *@v, -EINVAL (not such a number), -EOVERFLOW (beyond 64
 * bits) or -ERANGE (outside [@min, @max]).
 */
int optab_uint(const char *s, uint64_t min, uint64_t max, bool suffix,
	       uint64_t *v);

#endif /* OPTAB_H */
