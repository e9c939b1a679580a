/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `xenemu` command's entry: the command table and main(), the one
 * option parser every subcommand uses (its rows parsed by lib/optab),
 * messages and exit statuses (1 for an error, 2 for bad usage), the
 * instance's state directory and the small file and time helpers the
 * subcommands share. The subcommands live in cmd_*.c; xenemu.h says which
 * file owns what.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "optab.h"
#include "xenemu_core.h"
#include "xenemu.h"

char state_dir[PATH_MAX];

/* --- messages --------------------------------------------------------------- */

static void
vmsg(const char *fmt, va_list ap)
{
	fputs("xenemu: ", stderr);
	vfprintf(stderr, fmt, ap);
}

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
bad_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputs("\n(see `xenemu help`)\n", stderr);
	exit(2);
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: xenemu COMMAND [OPTIONS]\n"
"\n"
"A hypervisor-free Xen for development and tests (not a security boundary).\n"
"State lives in $XENEMU_DIR (default /run/xenemu).\n"
"\n"
"  start                          start the xenstore daemon, create domain 0\n"
"  stop                           stop it and remove the instance's files\n"
"  domain create --domid N [--name NAME] [--max-grants G] [--max-pages P]\n"
"  domain destroy --domid N [--timeout SEC]\n"
"  domain list\n"
"  domain stat --domid N          grants, pages, pins, ports, handles held\n"
"  vif attach --frontend DOM --backend DOM [--devid D] [--mac MAC] [--mtu MTU]\n"
"             [--bridge BRIDGE] [--script SCRIPT] [--wait] [--timeout SEC]\n"
"  vif detach --frontend DOM [--devid D] [--force] [--timeout SEC]\n"
"  vif list [--frontend DOM]      the vifs, their states and hotplug status\n"
"  exec --domid N -- PROGRAM [ARGS...]   run PROGRAM as domain N\n"
"  env --domid N                  print that environment as shell exports\n"
"  help                           this text\n");
}

/* --- the option parser ------------------------------------------------------ */

/* Options of one subcommand, at most. */
#define MAX_OPTS 16

static unsigned long
parse_num(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	uint64_t v;

	if (optab_uint(s, min, max, false, &v) != 0)
		bad_usage("%s: '%s' is not a number from %lu to %lu", opt, s,
			  min, max);
	return (unsigned long)v;
}

static void
set_option(const struct opt *o, const char *arg)
{
	char name[64];

	snprintf(name, sizeof(name), "--%s", o->name);
	switch (o->type) {
	case OPT_DOMID:
		*(unsigned int *)o->val = parse_num(name, arg, 0,
						    DOMID_FIRST_RESERVED - 1);
		break;
	case OPT_DOMAIN: {
		struct domain_arg *d = o->val;

		/* a number is a domid; a name cannot start with a digit */
		if (arg[0] >= '0' && arg[0] <= '9') {
			d->domid = parse_num(name, arg, 0,
					     DOMID_FIRST_RESERVED - 1);
			d->name = NULL;
		} else if (arg[0] == '\0' || strlen(arg) > 255) {
			bad_usage("%s: a domid or a name of 1 to 255 "
				  "characters", name);
		} else {
			d->name = arg;
		}
		break;
	}
	case OPT_UINT:
		*(unsigned int *)o->val = parse_num(name, arg, o->min, o->max);
		break;
	case OPT_STR:
		*(const char **)o->val = arg;
		break;
	case OPT_FLAG:
		*(bool *)o->val = true;
		break;
	case OPT_FUNC:
		o->parse(name, arg, o->val);
		break;
	}
}

int
parse_options(const char *cmd, int argc, char **argv, const struct opt *opts,
	      enum opt_rest rest)
{
	bool seen[MAX_OPTS] = { false }, missing = false;
	char need[256];
	size_t used = 0;
	struct optab t;
	const char *arg;
	unsigned int n, i;
	int o;

	/* Programs' arguments are theirs: options end at the first one. */
	optab_init(&t, rest == REST_ARGS ? OPTAB_IN_ORDER : 0);
	for (n = 0; opts[n].name != NULL; n++)
		if (n == MAX_OPTS ||
		    optab_add(&t, opts[n].name, 0, opts[n].type != OPT_FLAG) < 0)
			abort();
	if (n == 0) {
		if (argc != 1)
			bad_usage("%s takes no arguments", cmd);
		return 1;
	}
	while ((o = optab_next(&t, argc, argv, &arg)) != OPTAB_END) {
		if (o < 0)
			bad_usage("%s: unknown option", cmd);
		set_option(&opts[o], arg);
		seen[o] = true;
	}
	if (rest == REST_NONE && optind != argc)
		bad_usage("%s: unexpected argument '%s'", cmd, argv[optind]);
	/* One message names every required option. */
	need[0] = '\0';
	for (i = 0; i < n; i++) {
		if (opts[i].required == NULL)
			continue;
		missing |= !seen[i];
		used += snprintf(need + used, sizeof(need) - used, "%s--%s %s",
				 used > 0 ? " and " : "", opts[i].name,
				 opts[i].required);
		if (used >= sizeof(need))
			abort();
	}
	if (missing)
		bad_usage("%s needs %s", cmd, need);
	return optind;
}

/* --- the state directory, files, time --------------------------------------- */

/* The absolute state directory, from $XENEMU_DIR or the default. */
static void
init_state_dir(void)
{
	static const char longest[] = "/xenstored/dom32767.sock";
	const size_t sun_len = sizeof(((struct sockaddr_un *)0)->sun_path);
	const char *d = xenemu_state_dir();
	char cwd[PATH_MAX];

	if (d == NULL || d[0] == '\0')
		die("no state directory (set XENEMU_DIR)");
	if (d[0] == '/') {
		if (strlen(d) >= PATH_MAX)
			die("XENEMU_DIR is too long");
		strcpy(state_dir, d);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			die("getcwd: %s", strerror(errno));
		if ((size_t)snprintf(state_dir, PATH_MAX, "%s/%s", cwd, d) >=
		    PATH_MAX)
			die("XENEMU_DIR is too long");
	}
	/* The longest socket path must fit a sockaddr_un. */
	if (strlen(state_dir) + sizeof(longest) > sun_len)
		die("XENEMU_DIR %s is too long for its unix sockets (at most "
		    "%zu characters)", state_dir, sun_len - sizeof(longest));
}

void
path_join(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s/%s", a, b) >= len)
		die("path too long: %s/%s", a, b);
}

void
sdir_path(char *out, size_t len, const char *leaf)
{
	if ((size_t)snprintf(out, len, "%s/xenstored%s%s", state_dir,
			     leaf[0] ? "/" : "", leaf) >= len)
		die("path too long");
}

void
socket_path(char *out, size_t len, unsigned int domid)
{
	if ((size_t)snprintf(out, len, "%s/xenstored/dom%u.sock", state_dir,
			     domid) >= len)
		die("path too long");
}

void
exe_dir(char *exe, size_t len)
{
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, len - 1);
	if (n < 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';
}

int
read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int
write_small(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t l = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, l) != l) {
		close(fd);
		return -EIO;
	}
	return close(fd) == 0 ? 0 : -errno;
}

void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* --- the command table ------------------------------------------------------- */

static const struct command {
	const char *noun;
	const char *verb;               /* NULL: the noun is the command */
	int (*run)(const char *cmd, int argc, char **argv);
} commands[] = {
	{ "start", NULL, cmd_start },
	{ "stop", NULL, cmd_stop },
	{ "domain", "create", cmd_domain_create },
	{ "domain", "destroy", cmd_domain_destroy },
	{ "domain", "list", cmd_domain_list },
	{ "domain", "stat", cmd_domain_stat },
	{ "vif", "attach", cmd_vif_attach },
	{ "vif", "detach", cmd_vif_detach },
	{ "vif", "list", cmd_vif_list },
	{ "exec", NULL, cmd_exec },
	{ "env", NULL, cmd_env },
};

int
main(int argc, char **argv)
{
	const struct command *c;
	bool noun_known = false;
	char name[64];
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	init_state_dir();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		c = &commands[i];
		if (strcmp(c->noun, argv[1]) != 0)
			continue;
		if (c->verb == NULL)
			return c->run(c->noun, argc - 1, argv + 1);
		if (argc < 3)
			bad_usage("%s needs a subcommand", c->noun);
		noun_known = true;
		if (strcmp(c->verb, argv[2]) != 0)
			continue;
		snprintf(name, sizeof(name), "%s %s", c->noun, c->verb);
		return c->run(name, argc - 2, argv + 2);
	}
	if (noun_known)
		bad_usage("unknown command '%s %s'", argv[1], argv[2]);
	bad_usage("unknown command '%s'", argv[1]);
}
