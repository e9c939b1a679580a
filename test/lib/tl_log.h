/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_log: the scaffolding every test peer needs before it speaks any
 * protocol: progress and failure lines on stdout (what run.sh greps), a
 * monotonic clock, and a table-driven command line with its usage text.
 */

#ifndef TL_LOG_H
#define TL_LOG_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Prefixes of tl_note() and tl_fail() lines, e.g. "peer: " and
 * "PEER FAIL: "; the strings must outlive the program's use of them.
 */
void tl_log_init(const char *note_prefix, const char *fail_prefix);

/* One progress line: prefix, message, newline, flushed. */
void tl_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One failure line, then exit(1): a test peer stops at the first fault. */
void tl_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

double tl_now(void);		/* CLOCK_MONOTONIC, seconds */
uint64_t tl_now_ms(void);	/* CLOCK_MONOTONIC, milliseconds */

/* How an option stores its argument. */
enum tl_opt_type {
	TL_OPT_UINT,	/* unsigned int *: (unsigned int)atoi(arg) */
	TL_OPT_INT,	/* int *: atoi(arg) */
	TL_OPT_SET,	/* bool *: true, no argument */
	TL_OPT_CLEAR,	/* bool *: false, no argument */
	TL_OPT_STR,	/* const char **: the argument itself */
	TL_OPT_FN,	/* fn(arg, var); false means a bad argument */
};

struct tl_opt {
	const char *name;	/* long name (without "--"), or NULL */
	char letter;		/* short option, or 0 */
	enum tl_opt_type type;
	void *var;
	const char *arg;	/* argument name in the usage, e.g. "N" */
	const char *help;	/* one line of usage, may be NULL */
	bool (*fn)(const char *arg, void *var);
};

/* One table row for the common case: a long option without a letter or fn. */
#define TL_OPT(name, type, var, arg, help) \
	{ name, 0, TL_OPT_##type, var, arg, help, NULL }

/*
 * The rows of a DPDK test application's queue layout (xbecho, xennet_app):
 * --queues (RX, and TX unless --txq), --txq, --desc (0: the driver's) and
 * --mtu (0: the port's), into unsigned ints.
 */
#define TL_OPTS_PORT(queues, txq, desc, mtu) \
	TL_OPT("queues", UINT, queues, "N", \
	       "RX queues, and TX queues unless --txq (default 1)"), \
	TL_OPT("txq", UINT, txq, "N", "TX queues (default: --queues)"), \
	TL_OPT("desc", UINT, desc, "N", \
	       "descriptors per queue (default 0: the driver's)"), \
	TL_OPT("mtu", UINT, mtu, "N", "MTU to set (default 0: the port's)")

/* A program's command line: options end with a zeroed entry. */
struct tl_cmd {
	const char *prog;
	const char *synopsis;	/* after "usage: PROG " */
	const char *epilog;	/* printed after the options, may be NULL */
	const struct tl_opt *opts;
};

/*
 * Parse the options of @argv into their variables; returns the index of
 * the first operand. An unknown option or a bad argument prints the usage
 * and exits 2.
 */
int tl_opt_parse(const struct tl_cmd *cmd, int argc, char **argv);

/* Print the usage of the last parsed command on stderr and exit 2. */
void tl_usage(void) __attribute__((noreturn));

#endif /* TL_LOG_H */
