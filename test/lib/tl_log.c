/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_log: note/fail lines, the clock, and the option table of the test
 * peers (test/xenback/xbfront.c, test/xennet/xennet_peer.c) and test
 * applications, parsed by lib/optab.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "optab.h"
#include "tl_log.h"

static const char *note_prefix = "";
static const char *fail_prefix = "FAIL: ";
static const struct tl_cmd *usage_cmd;

void
tl_log_init(const char *note, const char *fail)
{
	note_prefix = note;
	fail_prefix = fail;
}

/* Both go to stdout, flushed per line: run.sh reads the log as it grows. */
static void
emit(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void
tl_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(note_prefix, fmt, ap);
	va_end(ap);
}

void
tl_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(fail_prefix, fmt, ap);
	va_end(ap);
	exit(1);
}

double
tl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t
tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
takes_arg(const struct tl_opt *o)
{
	return o->type != TL_OPT_SET && o->type != TL_OPT_CLEAR;
}

void
tl_usage(void)
{
	const struct tl_cmd *cmd = usage_cmd;
	const struct tl_opt *o;
	char name[64];

	if (cmd == NULL)
		exit(2);
	fprintf(stderr, "usage: %s %s\n", cmd->prog, cmd->synopsis);
	for (o = cmd->opts; o->name != NULL || o->letter != 0; o++) {
		int n = 0;

		if (o->letter != 0)
			n += snprintf(name + n, sizeof(name) - n, "-%c%s",
				      o->letter, o->name != NULL ? ", " : "");
		if (o->name != NULL)
			n += snprintf(name + n, sizeof(name) - n, "--%s",
				      o->name);
		if (takes_arg(o))
			snprintf(name + n, sizeof(name) - n, " %s",
				 o->arg != NULL ? o->arg : "ARG");
		fprintf(stderr, "  %-26s %s\n", name,
			o->help != NULL ? o->help : "");
	}
	if (cmd->epilog != NULL)
		fputs(cmd->epilog, stderr);
	exit(2);
}

/* Store @arg as @o says; false for an argument the option refuses. */
static bool
store(const struct tl_opt *o, const char *arg)
{
	switch (o->type) {
	case TL_OPT_UINT:
		*(unsigned int *)o->var = (unsigned int)atoi(arg);
		return true;
	case TL_OPT_INT:
		*(int *)o->var = atoi(arg);
		return true;
	case TL_OPT_SET:
		*(bool *)o->var = true;
		return true;
	case TL_OPT_CLEAR:
		*(bool *)o->var = false;
		return true;
	case TL_OPT_STR:
		*(const char **)o->var = arg;
		return true;
	case TL_OPT_FN:
		return o->fn(arg, o->var);
	}
	return false;
}

int
tl_opt_parse(const struct tl_cmd *cmd, int argc, char **argv)
{
	const struct tl_opt *o;
	struct optab t;
	const char *arg;
	int row;

	usage_cmd = cmd;
	optab_init(&t, 0);
	for (o = cmd->opts; o->name != NULL || o->letter != 0; o++)
		if (optab_add(&t, o->name, o->letter, takes_arg(o)) < 0)
			tl_usage();
	/* rows are added in table order: a row's index is its option's */
	while ((row = optab_next(&t, argc, argv, &arg)) != OPTAB_END)
		if (row < 0 || !store(&cmd->opts[row], arg))
			tl_usage();
	return optind;
}
