/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `xenemu` command: the toolstack of a hypervisor-free Xen.
 *
 * It plays the part libxl and xl play on Xen: it starts and stops an
 * instance (the xenstore daemon and domain 0), creates and destroys domains
 * (the core library's grant and event-channel state, XS_INTRODUCE /
 * XS_RELEASE, and the xenstore entries libxl writes), attaches and detaches
 * vifs with the keys and permissions libxl 4.17 writes, and runs programs as
 * a domain. It talks to the daemon through Debian's libxenstore, as dom0.
 *
 * This header is what its files share. Who owns what:
 *   main.c          the command table and main(), the one option parser
 *                   every subcommand uses, messages and exit statuses, the
 *                   state directory and small file and time helpers
 *   cmd_instance.c  start, stop: the xenstore daemon's life, and
 *                   connecting to it
 *   xs_dom0.c       xenstore as dom0: reads, writes, nodes with
 *                   permissions, transactions, path cleanup, domain checks
 *   cmd_domain.c    domain create, destroy, list
 *   cmd_vif.c       vif attach, detach, and removing a domain's vifs
 *   cmd_exec.c      exec, env: a domain's environment
 */

#ifndef XENEMU_TOOL_H
#define XENEMU_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xenstore.h>

#define DOMID_FIRST_RESERVED 0x7FF0u
/* libxl's LIBXL_DESTROY_TIMEOUT: how long a backend gets to close. */
#define DEFAULT_TIMEOUT_S 10

/* --- main.c: messages ------------------------------------------------------ */

/* A warning on stderr; the command goes on. */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error the user must see: message and exit status 1. */
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* A usage error: message, a pointer to `xenemu help`, exit status 2. */
void bad_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* --- main.c: the option parser ------------------------------------------- */

enum opt_type {
	OPT_DOMID,      /* unsigned int, 0 to DOMID_FIRST_RESERVED - 1 */
	OPT_DOMAIN,     /* struct domain_arg: a domid or a domain's name */
	OPT_UINT,       /* unsigned int, min to max */
	OPT_STR,        /* const char * */
	OPT_FLAG,       /* bool, no value */
	OPT_FUNC,       /* parse(option name, value, val) */
};

/* One --option of a subcommand; a table of them ends with a NULL name. */
struct opt {
	const char *name;               /* without the leading "--" */
	enum opt_type type;
	void *val;                      /* where the value goes */
	unsigned long min, max;         /* OPT_UINT */
	const char *required;           /* metavariable ("N") if required */
	void (*parse)(const char *opt, const char *arg, void *val);
};

/* What a subcommand takes after its options. */
enum opt_rest {
	REST_NONE,      /* nothing: a stray argument is a usage error */
	REST_ARGS,      /* arguments (a program): options end at the first */
};

/*
 * Parses argv[1..] of subcommand <cmd> ("domain create") into <opts>, with
 * exit status 2 and a message for anything wrong: an unknown option, a bad
 * value, a stray argument, a required option missing. A subcommand without
 * options takes no arguments at all. Returns the index of the first
 * argument after the options.
 */
int parse_options(const char *cmd, int argc, char **argv,
		  const struct opt *opts, enum opt_rest rest);

/* --- main.c: the state directory, files, time ------------------------------ */

/* The instance's absolute state directory ($XENEMU_DIR or the default). */
extern char state_dir[];

/* "<a>/<b>" into out; dies if it does not fit. */
void path_join(char *out, size_t len, const char *a, const char *b);
/* <state_dir>/xenstored[/<leaf>] and the socket of <domid> in it. */
void sdir_path(char *out, size_t len, const char *leaf);
void socket_path(char *out, size_t len, unsigned int domid);
/* The directory this command's binary is in (installed or build tree). */
void exe_dir(char *exe, size_t len);
/* A small file's text into buf (NUL-terminated), or write one: -errno. */
int read_small(const char *path, char *buf, size_t len);
int write_small(const char *path, const char *text);
void sleep_ms(unsigned int ms);
long long now_ms(void);

/* --- cmd_instance.c ---------------------------------------------------------- */

/* A connection to the instance's xenstored as dom0; dies if none runs. */
struct xs_handle *xs_connect(void);

/* --- xs_dom0.c --------------------------------------------------------------- */

/* xs_read() of a printf-made path, NUL-terminated, or NULL. */
char *xs_get(struct xs_handle *h, xs_transaction_t t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool xs_put(struct xs_handle *h, xs_transaction_t t, const char *path,
	    const char *value);
/* xs_put() to "<dir>/<key>". */
bool xs_put_at(struct xs_handle *h, xs_transaction_t t, const char *dir,
	       const char *key, const char *value);
/* libxl__xs_mknod(): an empty node with the given permissions. */
bool xs_mknod(struct xs_handle *h, xs_transaction_t t, const char *path,
	      struct xs_permissions *perms, unsigned int num);
/* libxl__xs_path_cleanup(): <path>, then each parent left empty. */
bool path_cleanup(struct xs_handle *h, xs_transaction_t t, const char *path);
/*
 * A transaction: tx_start() begins one (or dies); tx_retry() ends it and
 * says whether to run it again (EAGAIN). With ok false it aborts and dies
 * with <what> and errno.
 */
xs_transaction_t tx_start(struct xs_handle *h);
bool tx_retry(struct xs_handle *h, xs_transaction_t t, bool ok,
	      const char *what);
/* Whether domain <domid> is introduced (dom0 always is); or die. */
bool domain_known(struct xs_handle *h, unsigned int domid);
void need_domain(struct xs_handle *h, unsigned int domid);

/* The domid of the domain called <name>, or -1. */
int domain_by_name(struct xs_handle *h, const char *name);

/* An OPT_DOMAIN value: a domain by number or, as xl takes it, by name. */
struct domain_arg {
	unsigned int domid;	/* given by number */
	const char *name;	/* given by name, else NULL */
};

/* The domid of <d>, an existing domain; or die. */
unsigned int domain_resolve(struct xs_handle *h, const struct domain_arg *d);

/* --- cmd_exec.c -------------------------------------------------------------- */

/* Sets the environment of a program of domain <domid> (`xenemu env`). */
void domain_setenv(unsigned int domid);

/* --- cmd_vif.c --------------------------------------------------------------- */

/* libxl__devices_destroy(): each vif of <domid> removed, the backend given
 * <timeout_s> to close. */
void vif_remove_all(struct xs_handle *h, unsigned int domid, int timeout_s);

/* --- the subcommands: argv[0] is the last word of <cmd>, exit status ------- */

int cmd_start(const char *cmd, int argc, char **argv);
int cmd_stop(const char *cmd, int argc, char **argv);
int cmd_domain_create(const char *cmd, int argc, char **argv);
int cmd_domain_destroy(const char *cmd, int argc, char **argv);
int cmd_domain_list(const char *cmd, int argc, char **argv);
int cmd_domain_stat(const char *cmd, int argc, char **argv);
int cmd_vif_attach(const char *cmd, int argc, char **argv);
int cmd_vif_detach(const char *cmd, int argc, char **argv);
int cmd_vif_list(const char *cmd, int argc, char **argv);
int cmd_exec(const char *cmd, int argc, char **argv);
int cmd_env(const char *cmd, int argc, char **argv);

#endif /* XENEMU_TOOL_H */
