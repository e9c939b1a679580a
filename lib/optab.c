/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* optab: rows to getopt_long, one option at a time (optab.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "optab.h"

/* a row's index as getopt_long's val: past every letter */
#define OPTAB_VAL0 256

void
optab_init(struct optab *t, unsigned int flags)
{
	memset(t, 0, sizeof(*t));
	if (flags & OPTAB_IN_ORDER)
		t->shorts[t->ns++] = '+';
	if (flags & OPTAB_QUIET)
		t->shorts[t->ns++] = ':';
	t->quiet = (flags & OPTAB_QUIET) != 0;
}

int
optab_add(struct optab *t, const char *name, char letter, bool arg)
{
	if (t->n == OPTAB_MAX)
		return -1;
	if (name != NULL)
		t->longs[t->nl++] = (struct option){
			.name = name,
			.has_arg = arg ? required_argument : no_argument,
			.val = OPTAB_VAL0 + (int)t->n,
		};
	if (letter != 0) {
		t->shorts[t->ns++] = letter;
		if (arg)
			t->shorts[t->ns++] = ':';
	}
	t->letters[t->n] = letter;
	t->args[t->n] = arg;
	return (int)t->n++;
}

int
optab_init_rows(struct optab *t, unsigned int flags,
		const struct optab_row *rows, unsigned int n)
{
	unsigned int i;

	optab_init(t, flags);
	for (i = 0; i < n; i++)
		if (optab_add(t, rows[i].name, rows[i].letter, rows[i].arg) < 0)
			return -1;
	return 0;
}

int
optab_next(struct optab *t, int argc, char **argv, const char **arg)
{
	int c, row = OPTAB_UNKNOWN;
	unsigned int i;

	if (!t->started) {
		/* 0: glibc's full reset, e.g. after another table's scan */
		optind = 0;
		opterr = !t->quiet;
		t->started = true;
	}
	*arg = NULL;
	c = getopt_long(argc, argv, t->shorts, t->longs, NULL);
	if (c == -1)
		return OPTAB_END;
	if (c == ':')
		return OPTAB_NO_ARG;
	if (c >= OPTAB_VAL0 && c < OPTAB_VAL0 + (int)t->n)
		row = c - OPTAB_VAL0;
	for (i = 0; row < 0 && c != '?' && i < t->n; i++)
		if (t->letters[i] == c)
			row = (int)i;
	if (row >= 0 && t->args[row])
		*arg = optarg;
	return row;
}

int
optab_uint(const char *s, uint64_t min, uint64_t max, bool suffix,
	   uint64_t *v)
{
	unsigned long long x;
	uint64_t mul = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0)
		return -EOVERFLOW;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K':
			mul = 1000;
			end++;
			break;
		case 'm': case 'M':
			mul = 1000000;
			end++;
			break;
		case 'g': case 'G':
			mul = 1000000000;
			end++;
			break;
		}
	}
	if (*end != '\0')
		return -EINVAL;
	if (x > UINT64_MAX / mul)
		return -EOVERFLOW;
	x *= mul;
	if (x < min || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}
