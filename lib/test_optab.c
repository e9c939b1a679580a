/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Unit test of optab (optab.h): rows by long name and by letter, their
 * arguments, operands after the options (permuted, or in order), unknown
 * options and missing arguments, a full table, a second scan, and the
 * number parser. Table-driven: one row per command line.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "optab.h"

static int failures;

/* One case that went wrong: what was expected and what came. */
static void __attribute__((format(printf, 1, 2)))
bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

#define MAXARGS 8

/*
 * A command line and what optab_next() gives for it: each result a row
 * index ("0".."3" with its argument after '=', e.g. "0=5") or E (end),
 * U (unknown), N (no argument); then the first operand at optind.
 */
static const struct {
	unsigned int flags;
	const char *argv[MAXARGS];
	const char *want[MAXARGS];
	const char *operand;	/* argv[optind] at the end, or NULL */
} lines[] = {
	{ OPTAB_QUIET, { "--alpha", "5", "-c", "--beta", "-d", "x", "op" },
	  { "0=5", "2", "1", "3=x", "E" }, "op" },
	{ OPTAB_QUIET, { "-a7", "--delta=y" }, { "0=7", "3=y", "E" }, NULL },
	/* GNU permutes: options after an operand still count */
	{ OPTAB_QUIET, { "op", "--beta" }, { "1", "E" }, "op" },
	/* in order: the first operand ends the options */
	{ OPTAB_QUIET | OPTAB_IN_ORDER, { "op", "--beta" }, { "E" }, "op" },
	{ OPTAB_QUIET, { "--zeta" }, { "U" }, NULL },
	{ OPTAB_QUIET, { "-z" }, { "U" }, NULL },
	{ OPTAB_QUIET, { "--alpha" }, { "N" }, NULL },
	{ OPTAB_QUIET, { "-d" }, { "N" }, NULL },
	/* not quiet: getopt says what is wrong, optab says unknown */
	{ 0, { "--alpha" }, { "U" }, NULL },
	{ 0, { "--beta", "--", "--alpha" }, { "1", "E" }, "--alpha" },
};

static const struct optab_row rows[] = {
	{ "alpha", 'a', true },
	{ "beta", 0, false },
	{ NULL, 'c', false },
	{ "delta", 'd', true },
};

static void
test_lines(void)
{
	unsigned int l, i;

	for (l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
		char *argv[MAXARGS + 2] = { (char *)"prog" };
		struct optab t;
		const char *arg;
		char got[32];
		int argc = 1, r = OPTAB_END;

		for (i = 0; lines[l].argv[i] != NULL; i++)
			argv[argc++] = (char *)lines[l].argv[i];
		if (optab_init_rows(&t, lines[l].flags, rows,
				    sizeof(rows) / sizeof(rows[0])) != 0)
			bad("line %u: the rows do not fit", l);
		for (i = 0; lines[l].want[i] != NULL; i++) {
			r = optab_next(&t, argc, argv, &arg);
			if (r >= 0 && arg != NULL)
				snprintf(got, sizeof(got), "%d=%s", r, arg);
			else if (r >= 0)
				snprintf(got, sizeof(got), "%d", r);
			else
				snprintf(got, sizeof(got), "%s",
					 r == OPTAB_END ? "E" :
					 r == OPTAB_UNKNOWN ? "U" :
					 r == OPTAB_NO_ARG ? "N" : "?");
			if (strcmp(got, lines[l].want[i]) != 0)
				bad("line %u, result %u: %s, want %s", l, i,
				    got, lines[l].want[i]);
			if (r == OPTAB_END || r == OPTAB_UNKNOWN ||
			    r == OPTAB_NO_ARG)
				break;
		}
		if (lines[l].operand != NULL &&
		    (optind >= argc ||
		     strcmp(argv[optind], lines[l].operand) != 0))
			bad("line %u: first operand not %s", l,
			    lines[l].operand);
		if (lines[l].operand == NULL && r == OPTAB_END &&
		    optind != argc)
			bad("line %u: an operand left", l);
	}
}

static void
test_full(void)
{
	struct optab t;
	unsigned int i;

	optab_init(&t, 0);
	for (i = 0; i < OPTAB_MAX; i++)
		if (optab_add(&t, "x", 'x', true) != (int)i)
			bad("row %u does not fit", i);
	if (optab_add(&t, "y", 0, false) != -1)
		bad("a row past OPTAB_MAX fits");
}

static const struct {
	const char *s;
	uint64_t min, max;
	bool suffix;
	int rc;
	uint64_t v;
} numbers[] = {
	{ "0", 0, 10, false, 0, 0 },
	{ "10", 0, 10, false, 0, 10 },
	{ "11", 0, 10, false, -ERANGE, 0 },
	{ "4", 5, 10, false, -ERANGE, 0 },
	{ "", 0, 10, false, -EINVAL, 0 },
	{ "-1", 0, 10, false, -EINVAL, 0 },
	{ " 1", 0, 10, false, -EINVAL, 0 },
	{ "+1", 0, 10, false, -EINVAL, 0 },
	{ "1x", 0, 10, false, -EINVAL, 0 },
	{ "1k", 0, UINT64_MAX, false, -EINVAL, 0 },
	{ "1k", 0, UINT64_MAX, true, 0, 1000 },
	{ "2M", 0, UINT64_MAX, true, 0, 2000000 },
	{ "3g", 0, UINT64_MAX, true, 0, 3000000000u },
	{ "3kk", 0, UINT64_MAX, true, -EINVAL, 0 },
	{ "1x", 0, UINT64_MAX, true, -EINVAL, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, false, 0, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX, false, -EOVERFLOW, 0 },
	{ "18446744073709551G", 0, UINT64_MAX, true, -EOVERFLOW, 0 },
};

static void
test_uint(void)
{
	unsigned int i;
	uint64_t v;
	int rc;

	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		v = 12345;
		rc = optab_uint(numbers[i].s, numbers[i].min, numbers[i].max,
				numbers[i].suffix, &v);
		if (rc != numbers[i].rc)
			bad("number '%s': %d, want %d", numbers[i].s, rc,
			    numbers[i].rc);
		else if (v != (rc == 0 ? numbers[i].v : 12345))
			bad("number '%s': value %llu", numbers[i].s,
			    (unsigned long long)v);
	}
}

int
main(void)
{
	test_lines();
	test_full();
	test_uint();
	if (failures == 0)
		printf("optab: rows, letters, operands, errors, numbers OK\n");
	return failures == 0 ? 0 : 1;
}
