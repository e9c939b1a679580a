/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu: the toolstack of a hypervisor-free Xen.
 *
 * It plays the part libxl and xl play on Xen: it starts and stops an
 * instance (the xenstore daemon and domain 0), creates and destroys domains
 * (the core library's grant and event-channel state, XS_INTRODUCE /
 * XS_RELEASE, and the xenstore entries libxl writes), attaches and detaches
 * vifs with the keys and permissions libxl 4.17 writes, and runs programs as
 * a domain. It talks to the daemon through Debian's libxenstore, as dom0.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "xenemu_core.h"

#ifndef XENEMU_INSTALL_LIBDIR
#define XENEMU_INSTALL_LIBDIR "/usr/local/lib/xenemu"
#endif

#define DOMID_FIRST_RESERVED 0x7FF0u
/* XenbusState values the toolstack writes or waits for. */
#define XB_INITIALISING 1
#define XB_CLOSING 5
#define XB_CLOSED 6
/* libxl's LIBXL_DESTROY_TIMEOUT: how long a backend gets to close. */
#define DEFAULT_TIMEOUT_S 10
/* How long `start` waits for the daemon, and `stop` for it to exit. */
#define DAEMON_TIMEOUT_MS 10000
#define XENSTORED_COMM "xenemu-xenstore"	/* its /proc comm (15 chars) */

static char state_dir[PATH_MAX];

static void __attribute__((format(printf, 1, 2)))
warnmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("xenemu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* An error the user must see: message and exit status 1. */
static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("xenemu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
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
"  vif attach --frontend N --backend M [--devid D] [--mac MAC] [--mtu MTU]\n"
"             [--bridge BRIDGE] [--script SCRIPT]\n"
"  vif detach --frontend N [--devid D] [--force] [--timeout SEC]\n"
"  exec --domid N -- PROGRAM [ARGS...]   run PROGRAM as domain N\n"
"  env --domid N                  print that environment as shell exports\n"
"  help                           this text\n");
}

static void __attribute__((noreturn))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("xenemu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see `xenemu help`)\n", stderr);
	exit(2);
}

/* ---- small helpers ---- */

static unsigned long
parse_num(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *e;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *e != '\0' || v < min ||
	    v > max)
		bad_usage("%s: '%s' is not a number from %lu to %lu", opt, s,
			  min, max);
	return v;
}

static unsigned int
parse_domid(const char *opt, const char *s)
{
	return parse_num(opt, s, 0, DOMID_FIRST_RESERVED - 1);
}

static void
path_join(char *out, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(out, len, "%s/%s", a, b) >= len)
		die("path too long: %s/%s", a, b);
}

/* Reads a small file into buf; -errno on failure. */
static int
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

static int
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

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The absolute state directory, from $XENEMU_DIR or the default. */
static void
init_state_dir(void)
{
	const char *d = xenemu_state_dir();
	char cwd[PATH_MAX];

	if (d == NULL || d[0] == '\0')
		die("no state directory (set XENEMU_DIR)");
	if (d[0] == '/') {
		if (strlen(d) >= sizeof(state_dir))
			die("XENEMU_DIR is too long");
		strcpy(state_dir, d);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			die("getcwd: %s", strerror(errno));
		if ((size_t)snprintf(state_dir, sizeof(state_dir), "%s/%s",
				     cwd, d) >= sizeof(state_dir))
			die("XENEMU_DIR is too long");
	}
	/* The longest socket path must fit a sockaddr_un. */
	if (strlen(state_dir) + sizeof("/xenstored/dom32767.sock") >
	    sizeof(((struct sockaddr_un *)0)->sun_path))
		die("XENEMU_DIR %s is too long for its unix sockets (at most "
		    "%zu characters)", state_dir,
		    sizeof(((struct sockaddr_un *)0)->sun_path) -
		    sizeof("/xenstored/dom32767.sock"));
}

static void
sdir_path(char *out, size_t len, const char *leaf)
{
	if ((size_t)snprintf(out, len, "%s/xenstored%s%s", state_dir,
			     leaf[0] ? "/" : "", leaf) >= len)
		die("path too long");
}

static void
socket_path(char *out, size_t len, unsigned int domid)
{
	if ((size_t)snprintf(out, len, "%s/xenstored/dom%u.sock", state_dir,
			     domid) >= len)
		die("path too long");
}

/*
 * Whether <pid> is a live xenemu-xenstored: a recycled pid is not ours,
 * and a zombie (nobody may reap it in a container) is gone already.
 */
static bool
xenstored_alive(pid_t pid)
{
	char path[64], stat[512], *p;

	if (pid <= 0 || kill(pid, 0) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, stat, sizeof(stat)) != 0)
		return false;
	/* "<pid> (<comm>) <state> ..." */
	p = strchr(stat, '(');
	if (p == NULL || strncmp(p + 1, XENSTORED_COMM,
				 strlen(XENSTORED_COMM)) != 0)
		return false;
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* The daemon's pid if it runs, else 0. */
static pid_t
daemon_pid(void)
{
	char path[PATH_MAX], buf[64];
	long pid;

	sdir_path(path, sizeof(path), "pid");
	if (read_small(path, buf, sizeof(buf)) != 0)
		return 0;
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || pid > INT_MAX || !xenstored_alive(pid))
		return 0;
	return pid;
}

/* ---- xenstore as dom0 ---- */

static struct xs_handle *
xs_connect(void)
{
	char path[PATH_MAX];
	struct xs_handle *h;

	if (daemon_pid() == 0)
		die("no xenemu instance is running in %s (run `xenemu start`)",
		    state_dir);
	socket_path(path, sizeof(path), 0);
	if (setenv("XENSTORED_PATH", path, 1) != 0)
		die("setenv: %s", strerror(errno));
	h = xs_open(0);
	if (h == NULL)
		die("cannot connect to the xenstore daemon at %s: %s", path,
		    strerror(errno));
	return h;
}

/* xs_read() as a NUL-terminated string, or NULL. */
static char *
xs_get(struct xs_handle *h, xs_transaction_t t, const char *fmt, ...)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(h, t, path, &len);
}

static bool
xs_put(struct xs_handle *h, xs_transaction_t t, const char *path,
       const char *value)
{
	return xs_write(h, t, path, value, strlen(value));
}

/* libxl__xs_mknod(): an empty node with the given permissions. */
static bool
xs_mknod(struct xs_handle *h, xs_transaction_t t, const char *path,
	 struct xs_permissions *perms, unsigned int num)
{
	return xs_mkdir(h, t, path) &&
	       xs_set_permissions(h, t, path, perms, num);
}

static bool
domain_known(struct xs_handle *h, unsigned int domid)
{
	return domid == 0 || xs_is_domain_introduced(h, domid);
}

static void
need_domain(struct xs_handle *h, unsigned int domid)
{
	if (!domain_known(h, domid))
		die("no domain %u (create it with `xenemu domain create "
		    "--domid %u`)", domid, domid);
}

/*
 * libxl__xs_path_cleanup(): removes <path>, then each parent that is left
 * with no value and no children.
 */
static bool
path_cleanup(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char p[XENSTORE_ABS_PATH_MAX + 1], *last, *val, **list;
	unsigned int n, len;

	if (!xs_rm(h, t, path))
		return false;
	snprintf(p, sizeof(p), "%s", path);
	while ((last = strrchr(p, '/')) != NULL) {
		*last = '\0';
		if (p[0] == '\0')
			break;
		val = xs_read(h, t, p, &len);
		if (val == NULL || len != 0) {
			free(val);
			break;
		}
		free(val);
		list = xs_directory(h, t, p, &n);
		if (list == NULL || n != 0) {
			free(list);
			break;
		}
		free(list);
		if (!xs_rm(h, t, p))
			return false;
	}
	return true;
}

/* Ends a transaction; true to run it again (EAGAIN). Dies on failure. */
static bool
tx_retry(struct xs_handle *h, xs_transaction_t t, bool ok, const char *what)
{
	if (!ok) {
		int e = errno;

		xs_transaction_end(h, t, true);
		die("%s: %s", what, strerror(e));
	}
	if (xs_transaction_end(h, t, false))
		return false;
	if (errno == EAGAIN)
		return true;
	die("%s: committing the transaction: %s", what, strerror(errno));
}

static xs_transaction_t
tx_start(struct xs_handle *h)
{
	xs_transaction_t t = xs_transaction_start(h);

	if (t == XBT_NULL)
		die("cannot start a xenstore transaction: %s", strerror(errno));
	return t;
}

/* ---- start / stop ---- */

/* The directory this command's binary is in (installed or build tree). */
static void
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

/* Where the daemon's binary is: next to us, installed or in the build tree. */
static void
find_xenstored(char *out, size_t len)
{
	char exe[PATH_MAX];
	const char *env = getenv("XENEMU_XENSTORED");

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s", env);
		return;
	}
	exe_dir(exe, sizeof(exe));
	/* Installed: both in bindir. Build tree: build/xenemu/{xenemu,xenstored/}. */
	if ((size_t)snprintf(out, len, "%s/xenemu-xenstored", exe) < len &&
	    access(out, X_OK) == 0)
		return;
	if ((size_t)snprintf(out, len, "%s/xenstored/xenemu-xenstored",
			     exe) < len && access(out, X_OK) == 0)
		return;
	die("cannot find xenemu-xenstored next to %s (set XENEMU_XENSTORED)",
	    exe);
}

/* Destroys what the core library holds for every domain of the instance. */
static void
destroy_all_domains(void)
{
	unsigned int id;
	int rc;

	for (id = 0; id < DOMID_FIRST_RESERVED; id++) {
		if (xenemu_domain_exists(state_dir, id) != 1)
			continue;
		rc = xenemu_domain_destroy(state_dir, id);
		if (rc != 0 && rc != -ENOENT)
			warnmsg("cannot destroy domain %u: %s", id,
				strerror(-rc));
	}
}

/* Removes the daemon's leftovers: sockets, pid file, log, its directory. */
static void
remove_daemon_files(bool keep_log)
{
	char path[PATH_MAX];
	unsigned int id;
	struct dirent *de;
	DIR *dir;
	int n;

	sdir_path(path, sizeof(path), "");
	dir = opendir(path);
	while (dir != NULL && (de = readdir(dir)) != NULL) {
		n = 0;
		if (sscanf(de->d_name, "dom%u.sock%n", &id, &n) == 1 &&
		    de->d_name[n] == '\0') {
			socket_path(path, sizeof(path), id);
			unlink(path);
		}
	}
	if (dir != NULL)
		closedir(dir);
	sdir_path(path, sizeof(path), "pid");
	unlink(path);
	if (!keep_log) {
		sdir_path(path, sizeof(path), "log");
		unlink(path);
	}
	sdir_path(path, sizeof(path), "");
	rmdir(path);
}

static void
print_log(void)
{
	char path[PATH_MAX], buf[4096];
	ssize_t n;
	int fd;

	sdir_path(path, sizeof(path), "log");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stderr) != (size_t)n)
			break;
	close(fd);
}

static int
stop_daemon(pid_t pid)
{
	long long deadline = now_ms() + DAEMON_TIMEOUT_MS;

	if (kill(pid, SIGTERM) != 0)
		return errno == ESRCH ? 0 : -errno;
	/* Until the process is gone, not only its pid file. */
	while (xenstored_alive(pid)) {
		if (now_ms() > deadline) {
			warnmsg("the xenstore daemon (pid %d) ignores SIGTERM: "
				"killing it", (int)pid);
			kill(pid, SIGKILL);
			sleep_ms(100);
			break;
		}
		sleep_ms(10);
	}
	return 0;
}

/* Forks the daemon off as a session leader; returns once it listens. */
static pid_t
spawn_daemon(void)
{
	char bin[PATH_MAX], logp[PATH_MAX], fdarg[16], c;
	struct pollfd pfd;
	int pipefd[2], status, fd, rc;
	long long deadline;
	pid_t child, pid;

	find_xenstored(bin, sizeof(bin));
	sdir_path(logp, sizeof(logp), "log");
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		/* Double fork: the daemon is nobody's child but init's. */
		if (setsid() < 0 || (pid = fork()) < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		/* The ready pipe's write end must survive exec. */
		fd = dup(pipefd[1]);
		if (fd < 0)
			_exit(1);
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		execl(bin, "xenemu-xenstored", "--dir", state_dir,
		      "--ready-fd", fdarg, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	/* 'R' once it listens; EOF if it died first. */
	deadline = now_ms() + DAEMON_TIMEOUT_MS;
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			close(pipefd[0]);
			die("the xenstore daemon did not start within %d ms; "
			    "see %s", DAEMON_TIMEOUT_MS, logp);
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc > 0)
			break;
	}
	rc = read(pipefd[0], &c, 1);
	close(pipefd[0]);
	if (rc != 1 || c != 'R') {
		print_log();
		remove_daemon_files(false);
		die("the xenstore daemon failed to start (%s)", bin);
	}
	pid = daemon_pid();
	if (pid == 0)
		die("the xenstore daemon started but left no pid file");
	return pid;
}

static int
cmd_start(int argc, char **argv)
{
	char path[PATH_MAX], marker[PATH_MAX];
	bool created = false;
	struct xs_handle *h;
	pid_t pid;
	int rc;

	(void)argv;
	if (argc != 1)
		bad_usage("start takes no arguments");
	pid = daemon_pid();
	if (pid != 0)
		die("an instance is already running in %s (xenstored pid %d); "
		    "run `xenemu stop` first", state_dir, (int)pid);
	if (mkdir(state_dir, 0755) == 0)
		created = true;
	else if (errno != EEXIST)
		die("cannot create %s: %s", state_dir, strerror(errno));
	/* Leftovers of an instance that died are cleared. */
	destroy_all_domains();
	remove_daemon_files(false);
	sdir_path(path, sizeof(path), "");
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
	path_join(marker, sizeof(marker), state_dir, ".xenemu-instance");
	if (write_small(marker, created ? "created-dir\n" : "\n") != 0)
		die("cannot write %s", marker);

	pid = spawn_daemon();
	rc = xenemu_domain_create(state_dir, 0, 0, 0);
	if (rc != 0) {
		stop_daemon(pid);
		remove_daemon_files(false);
		unlink(marker);
		die("cannot create domain 0: %s", strerror(-rc));
	}
	/* What xen-init-dom0 writes. */
	h = xs_connect();
	if (!xs_put(h, XBT_NULL, "/local/domain/0/domid", "0") ||
	    !xs_put(h, XBT_NULL, "/local/domain/0/name", "Domain-0")) {
		rc = errno;
		xs_close(h);
		stop_daemon(pid);
		destroy_all_domains();
		remove_daemon_files(false);
		unlink(marker);
		die("cannot set up domain 0 in xenstore: %s", strerror(rc));
	}
	xs_close(h);
	printf("xenemu: started in %s (xenstored pid %d)\n", state_dir,
	       (int)pid);
	return 0;
}

static int
cmd_stop(int argc, char **argv)
{
	char path[PATH_MAX], marker[PATH_MAX], buf[64];
	bool had_marker;
	pid_t pid;

	(void)argv;
	if (argc != 1)
		bad_usage("stop takes no arguments");
	path_join(marker, sizeof(marker), state_dir, ".xenemu-instance");
	had_marker = read_small(marker, buf, sizeof(buf)) == 0;
	pid = daemon_pid();
	if (pid == 0 && !had_marker)
		die("no xenemu instance in %s", state_dir);
	if (pid != 0 && stop_daemon(pid) != 0)
		die("cannot stop the xenstore daemon (pid %d): %s", (int)pid,
		    strerror(errno));
	destroy_all_domains();
	remove_daemon_files(false);
	path_join(path, sizeof(path), state_dir, "dom");
	rmdir(path);
	unlink(marker);
	if (had_marker && strncmp(buf, "created-dir", 11) == 0)
		rmdir(state_dir);
	return 0;
}

/* ---- domains ---- */

static void
random_uuid(char *out, size_t len)
{
	uint8_t u[16];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(u)) {
		n = getrandom(u + got, sizeof(u) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("getrandom: %s", strerror(errno));
		}
		got += n;
	}
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* The domid of the domain called <name>, or -1. */
static int
domain_by_name(struct xs_handle *h, const char *name)
{
	char **list, *n;
	unsigned int num, i;
	int found = -1;

	list = xs_directory(h, XBT_NULL, "/local/domain", &num);
	if (list == NULL)
		return -1;
	for (i = 0; i < num && found < 0; i++) {
		n = xs_get(h, XBT_NULL, "/local/domain/%s/name", list[i]);
		if (n != NULL && strcmp(n, name) == 0)
			found = atoi(list[i]);
		free(n);
	}
	free(list);
	return found;
}

/*
 * The nodes libxl__domain_make() creates, with its permissions: the
 * domain's home is dom0's and readable by the domain ("roperm"); the
 * subdirectories the guest writes are the guest's ("rwperm").
 */
static bool
write_domain_nodes(struct xs_handle *h, xs_transaction_t t,
		   unsigned int domid, const char *name, const char *uuid)
{
	static const char *const ro[] = { "cpu", "memory", "device", "control" };
	static const char *const rw[] = {
		"control/shutdown", "control/feature-poweroff",
		"control/feature-reboot", "control/feature-suspend",
		"control/sysrq", "device/suspend/event-channel", "data",
		"drivers", "feature", "attr", "error",
	};
	struct xs_permissions noperm[1] = { { 0, XS_PERM_NONE } };
	struct xs_permissions roperm[2] = {
		{ 0, XS_PERM_NONE }, { domid, XS_PERM_READ },
	};
	struct xs_permissions rwperm[1] = { { domid, XS_PERM_NONE } };
	char dom[64], vm[128], lx[64], p[256];
	unsigned int i;
	bool ok = true;

	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	snprintf(lx, sizeof(lx), "/libxl/%u", domid);

	xs_rm(h, t, dom);
	ok &= xs_mknod(h, t, dom, roperm, 2);
	xs_rm(h, t, vm);
	ok &= xs_mknod(h, t, vm, roperm, 2);
	xs_rm(h, t, lx);
	ok &= xs_mknod(h, t, lx, noperm, 1);
	snprintf(p, sizeof(p), "%s/device", lx);
	ok &= xs_mknod(h, t, p, noperm, 1);

	snprintf(p, sizeof(p), "%s/vm", dom);
	ok &= xs_put(h, t, p, vm);
	/* libxl__domain_rename(): the name, in both places. */
	snprintf(p, sizeof(p), "%s/name", dom);
	ok &= xs_put(h, t, p, name);
	snprintf(p, sizeof(p), "%s/name", vm);
	ok &= xs_put(h, t, p, name);

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dom, ro[i]);
		ok &= xs_mknod(h, t, p, roperm, 2);
	}
	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dom, rw[i]);
		ok &= xs_mknod(h, t, p, rwperm, 1);
	}
	snprintf(p, sizeof(p), "%s/uuid", vm);
	ok &= xs_put(h, t, p, uuid);
	snprintf(p, sizeof(p),
		 "%s/control/platform-feature-multiprocessor-suspend", dom);
	ok &= xs_put(h, t, p, "1");
	snprintf(p, sizeof(p), "%s/control/platform-feature-xs_reset_watches",
		 dom);
	ok &= xs_put(h, t, p, "1");
	snprintf(p, sizeof(p), "%s/type", lx);
	ok &= xs_put(h, t, p, "pv");
	return ok;
}

/* What libxl__build_post() writes before it introduces the domain. */
static bool
write_build_post(struct xs_handle *h, xs_transaction_t t, unsigned int domid,
		 const char *uuid, unsigned int max_pages)
{
	char dom[64], p[256], v[64];
	struct timeval tv;
	bool ok = true;

	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)max_pages * 4);
	snprintf(p, sizeof(p), "%s/memory/static-max", dom);
	ok &= xs_put(h, t, p, v);
	snprintf(p, sizeof(p), "%s/memory/target", dom);
	ok &= xs_put(h, t, p, v);
	snprintf(p, sizeof(p), "%s/domid", dom);
	snprintf(v, sizeof(v), "%u", domid);
	ok &= xs_put(h, t, p, v);
	snprintf(p, sizeof(p), "%s/cpu/0/availability", dom);
	ok &= xs_put(h, t, p, "online");
	gettimeofday(&tv, NULL);
	snprintf(p, sizeof(p), "/vm/%s/start_time", uuid);
	snprintf(v, sizeof(v), "%lu.%02d", (unsigned long)tv.tv_sec,
		 (int)(tv.tv_usec / 10000));
	ok &= xs_put(h, t, p, v);
	return ok;
}

static int
cmd_domain_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "max-grants", required_argument, NULL, 'g' },
		{ "max-pages", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int domid = UINT_MAX, max_grants = 0, max_pages = 0, i;
	char namebuf[32], uuid[40], dom[64], *vmp;
	const char *name = NULL;
	struct xs_handle *h;
	xs_transaction_t t;
	bool ok;
	int o, rc, other;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			domid = parse_domid("--domid", optarg);
			break;
		case 'n':
			name = optarg;
			break;
		case 'g':
			max_grants = parse_num("--max-grants", optarg, 1,
					       UINT_MAX);
			break;
		case 'p':
			max_pages = parse_num("--max-pages", optarg, 1,
					      UINT_MAX);
			break;
		default:
			bad_usage("domain create: unknown option");
		}
	}
	if (optind != argc)
		bad_usage("domain create: unexpected argument '%s'",
			  argv[optind]);
	if (domid == UINT_MAX)
		bad_usage("domain create needs --domid N");
	if (domid == 0)
		bad_usage("domain 0 is created by `xenemu start`");
	if (name == NULL) {
		snprintf(namebuf, sizeof(namebuf), "dom%u", domid);
		name = namebuf;
	}
	if (name[0] == '\0' || strlen(name) > 255)
		bad_usage("--name must have 1 to 255 characters");
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			bad_usage("--name must be printable");

	h = xs_connect();
	if (xenemu_domain_exists(state_dir, domid) == 1 ||
	    domain_known(h, domid))
		die("domain %u already exists", domid);
	other = domain_by_name(h, name);
	if (other >= 0)
		die("a domain named '%s' already exists (domid %d)", name,
		    other);
	rc = xenemu_domain_create(state_dir, domid, max_grants, max_pages);
	if (rc != 0)
		die("cannot create domain %u: %s", domid, strerror(-rc));
	random_uuid(uuid, sizeof(uuid));
	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	do {
		t = tx_start(h);
		ok = write_domain_nodes(h, t, domid, name, uuid);
		if (!ok) {
			rc = errno;
			xs_transaction_end(h, t, true);
			goto fail;
		}
	} while (tx_retry(h, t, true, "domain create"));
	do {
		t = tx_start(h);
		ok = write_build_post(h, t, domid, uuid,
				      max_pages ? max_pages :
				      XENEMU_DEFAULT_MAX_PAGES);
		if (!ok) {
			rc = errno;
			xs_transaction_end(h, t, true);
			goto fail;
		}
	} while (tx_retry(h, t, true, "domain create"));
	/* No ring, no event channel: the socket is the domain's xenbus. */
	if (!xs_introduce_domain(h, domid, 0, 0)) {
		rc = errno;
		goto fail;
	}
	xs_close(h);
	return 0;
fail:
	vmp = xs_get(h, XBT_NULL, "%s/vm", dom);
	if (vmp != NULL)
		xs_rm(h, XBT_NULL, vmp);
	free(vmp);
	xs_rm(h, XBT_NULL, dom);
	snprintf(dom, sizeof(dom), "/libxl/%u", domid);
	xs_rm(h, XBT_NULL, dom);
	xenemu_domain_destroy(state_dir, domid);
	xs_close(h);
	die("cannot create domain %u in xenstore: %s", domid, strerror(rc));
}

/* ---- vifs ---- */

struct vif {
	unsigned int fe_domid;
	unsigned int be_domid;
	unsigned int devid;
	char fe[128];			/* /local/domain/N/device/vif/D */
	char be[128];			/* /local/domain/M/backend/vif/N/D */
	char lx[128];			/* /libxl/N/device/vif/D */
};

static void
vif_paths(struct vif *v)
{
	snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vif/%u",
		 v->fe_domid, v->devid);
	snprintf(v->be, sizeof(v->be), "/local/domain/%u/backend/vif/%u/%u",
		 v->be_domid, v->fe_domid, v->devid);
	snprintf(v->lx, sizeof(v->lx), "/libxl/%u/device/vif/%u", v->fe_domid,
		 v->devid);
}

/* Fills <v> from what libxl recorded for vif <devid> of <domid>. */
static bool
vif_lookup(struct xs_handle *h, unsigned int domid, unsigned int devid,
	   struct vif *v)
{
	unsigned int be_domid, fe_domid, dev;
	char *be;
	int n = 0;

	memset(v, 0, sizeof(*v));
	v->fe_domid = domid;
	v->devid = devid;
	vif_paths(v);
	be = xs_get(h, XBT_NULL, "%s/backend", v->lx);
	if (be == NULL)
		return false;
	/* Our own record, but check it as libxl parses it. */
	if (sscanf(be, "/local/domain/%u/backend/vif/%u/%u%n", &be_domid,
		   &fe_domid, &dev, &n) != 3 || be[n] != '\0' ||
	    fe_domid != domid || dev != devid ||
	    be_domid >= DOMID_FIRST_RESERVED) {
		free(be);
		die("%s/backend holds an unexpected path", v->lx);
	}
	free(be);
	v->be_domid = be_domid;
	vif_paths(v);
	return true;
}

/* libxl__device_nextid(): one more than the largest devid in use. */
static unsigned int
vif_nextid(struct xs_handle *h, unsigned int domid)
{
	char path[64], **list;
	unsigned int num, i, next = 0;
	unsigned long id;
	char *e;

	snprintf(path, sizeof(path), "/libxl/%u/device/vif", domid);
	list = xs_directory(h, XBT_NULL, path, &num);
	if (list == NULL)
		return 0;
	for (i = 0; i < num; i++) {
		id = strtoul(list[i], &e, 10);
		if (*e == '\0' && id >= next && id < INT_MAX)
			next = id + 1;
	}
	free(list);
	return next;
}

static void
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &n) != 6 || s[n] != '\0' || strlen(s) != 17)
		bad_usage("--mac: '%s' is not a MAC address xx:xx:xx:xx:xx:xx",
			  s);
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	if (mac[0] & 1)
		bad_usage("--mac: %s is a multicast address", s);
}

/* xs_set_permissions() on each key as libxl__xs_writev_perms() does. */
static bool
writev_perms(struct xs_handle *h, xs_transaction_t t, const char *dir,
	     const char *const *kvs, struct xs_permissions *perms,
	     unsigned int num)
{
	char p[256];
	bool ok = true;

	for (; kvs[0] != NULL; kvs += 2) {
		snprintf(p, sizeof(p), "%s/%s", dir, kvs[0]);
		ok &= xs_put(h, t, p, kvs[1]);
		if (perms != NULL)
			ok &= xs_set_permissions(h, t, p, perms, num);
	}
	return ok;
}

static int
cmd_vif_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "frontend", required_argument, NULL, 'f' },
		{ "backend", required_argument, NULL, 'b' },
		{ "devid", required_argument, NULL, 'd' },
		{ "mac", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "bridge", required_argument, NULL, 'r' },
		{ "script", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int fe = UINT_MAX, be = UINT_MAX, devid = UINT_MAX, mtu = 1500;
	char macs[18], mtus[16], handle[16], fe_id[16], be_id[16], st[4];
	const char *bridge = "xenbr0", *script = "/etc/xen/scripts/vif-bridge";
	struct xs_permissions fe_perms[2], ro_fe_perms[2], be_perms[2];
	bool have_mac = false, ok;
	struct xs_handle *h;
	xs_transaction_t t;
	struct vif v;
	uint8_t mac[6];
	char p[256];
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			fe = parse_domid("--frontend", optarg);
			break;
		case 'b':
			be = parse_domid("--backend", optarg);
			break;
		case 'd':
			devid = parse_num("--devid", optarg, 0, 65535);
			break;
		case 'm':
			parse_mac(optarg, mac);
			have_mac = true;
			break;
		case 'u':
			mtu = parse_num("--mtu", optarg, 68, 65535);
			break;
		case 'r':
			bridge = optarg;
			break;
		case 's':
			script = optarg;
			break;
		default:
			bad_usage("vif attach: unknown option");
		}
	}
	if (optind != argc)
		bad_usage("vif attach: unexpected argument '%s'", argv[optind]);
	if (fe == UINT_MAX || be == UINT_MAX)
		bad_usage("vif attach needs --frontend N and --backend M");
	if (bridge[0] == '\0' || strlen(bridge) > 255 || script[0] == '\0' ||
	    strlen(script) > 1024)
		bad_usage("--bridge and --script need a value (at most 255 and "
			  "1024 characters)");

	h = xs_connect();
	need_domain(h, fe);
	need_domain(h, be);
	if (devid == UINT_MAX)
		devid = vif_nextid(h, fe);
	if (!have_mac) {
		/* libxl's default: Xen's OUI and three random bytes. */
		mac[0] = 0x00;
		mac[1] = 0x16;
		mac[2] = 0x3e;
		if (getrandom(mac + 3, 3, 0) != 3)
			die("getrandom: %s", strerror(errno));
		mac[3] &= 0x7f;
	}
	snprintf(macs, sizeof(macs), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	snprintf(mtus, sizeof(mtus), "%u", mtu);
	snprintf(handle, sizeof(handle), "%u", devid);
	snprintf(fe_id, sizeof(fe_id), "%u", fe);
	snprintf(be_id, sizeof(be_id), "%u", be);
	snprintf(st, sizeof(st), "%d", XB_INITIALISING);

	memset(&v, 0, sizeof(v));
	v.fe_domid = fe;
	v.be_domid = be;
	v.devid = devid;
	vif_paths(&v);

	/* libxl__device_generic_add()'s permissions. */
	fe_perms[0].id = fe;
	fe_perms[0].perms = XS_PERM_NONE;
	fe_perms[1].id = be;
	fe_perms[1].perms = XS_PERM_READ;
	ro_fe_perms[0].id = be_perms[0].id = be;
	ro_fe_perms[0].perms = be_perms[0].perms = XS_PERM_NONE;
	ro_fe_perms[1].id = be_perms[1].id = fe;
	ro_fe_perms[1].perms = be_perms[1].perms = XS_PERM_READ;

	{
		/*
		 * libxl__device_add_async() + libxl__set_xenstore_nic(), in
		 * their order: the backend's keys (mtu only when not the
		 * default), the frontend's, and the frontend's mtu, which
		 * the backend owns so the guest cannot change it.
		 */
		const char *fents[] = {
			"backend-id", be_id, "state", st, "handle", handle,
			"mac", macs, "trusted", "1", NULL, NULL,
		};
		const char *ro_fents[] = { "mtu", mtus, NULL, NULL };
		const char *bk[24];
		unsigned int n = 0;
		char *x;

#define KV(k, val) do { bk[n++] = (k); bk[n++] = (val); } while (0)
		KV("frontend-id", fe_id);
		KV("online", "1");
		KV("state", st);
		KV("script", script);
		KV("mac", macs);
		if (mtu != 1500)
			KV("mtu", mtus);
		KV("bridge", bridge);
		KV("handle", handle);
		KV("type", "vif");
		KV("hotplug-status", "");
		KV(NULL, NULL);
#undef KV
		do {
			t = tx_start(h);
			/* libxl__device_exists() */
			x = xs_get(h, t, "%s/backend", v.lx);
			if (x == NULL)
				x = xs_get(h, t, "%s/state", v.fe);
			if (x != NULL) {
				free(x);
				xs_transaction_end(h, t, true);
				die("vif %u of domain %u already exists",
				    devid, fe);
			}
			xs_rm(h, t, v.lx);
			snprintf(p, sizeof(p), "%s/frontend", v.lx);
			ok = xs_put(h, t, p, v.fe);
			snprintf(p, sizeof(p), "%s/backend", v.lx);
			ok &= xs_put(h, t, p, v.be);

			xs_rm(h, t, v.fe);
			ok &= xs_mkdir(h, t, v.fe);
			ok &= xs_set_permissions(h, t, v.fe, fe_perms, 2);
			snprintf(p, sizeof(p), "%s/backend", v.fe);
			ok &= xs_put(h, t, p, v.be);
			ok &= writev_perms(h, t, v.fe, fents, fe_perms, 2);
			ok &= writev_perms(h, t, v.fe, ro_fents, ro_fe_perms,
					   2);

			xs_rm(h, t, v.be);
			ok &= xs_mkdir(h, t, v.be);
			ok &= xs_set_permissions(h, t, v.be, be_perms, 2);
			snprintf(p, sizeof(p), "%s/frontend", v.be);
			ok &= xs_put(h, t, p, v.fe);
			ok &= writev_perms(h, t, v.be, bk, NULL, 0);
			/* A copy for the toolstack, which needs no backend. */
			ok &= writev_perms(h, t, v.lx, bk, NULL, 0);
		} while (tx_retry(h, t, ok, "vif attach"));
	}
	/*
	 * No hotplug script runs here: report its success at once, as
	 * vif-bridge does once it has plugged the vif into the bridge.
	 */
	snprintf(p, sizeof(p), "%s/hotplug-status", v.be);
	if (!xs_put(h, XBT_NULL, p, "connected"))
		die("cannot write %s: %s", p, strerror(errno));
	printf("%u\n", devid);
	xs_close(h);
	return 0;
}

/* Waits until <path> reads <want>, or <timeout_ms> passes; true if it did. */
static bool
wait_state(struct xs_handle *h, const char *path, int want, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd;
	char **ev, *s;
	bool done = false;

	if (!xs_watch(h, path, "xenemu-wait"))
		die("cannot watch %s: %s", path, strerror(errno));
	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	for (;;) {
		long long left;

		s = xs_get(h, XBT_NULL, "%s", path);
		done = s != NULL && atoi(s) == want;
		free(s);
		left = deadline - now_ms();
		if (done || left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			break;
		while ((ev = xs_check_watch(h)) != NULL)
			free(ev);
	}
	xs_unwatch(h, path, "xenemu-wait");
	return done;
}

/* How a removal treats a backend that does not close. */
enum rm_mode {
	RM_WAIT,	/* wait for Closed; give up (remove nothing) on timeout */
	RM_FORCE,	/* do not wait */
	RM_TRY,		/* wait for Closed, then remove anyway (domain destroy) */
};

/*
 * libxl__initiate_device_generic_remove(): the backend is told to go
 * offline and to close; once it is Closed (or at once when forced), the
 * frontend, backend and toolstack entries go.
 */
static void
vif_remove(struct xs_handle *h, const struct vif *v, enum rm_mode mode,
	   int timeout_s)
{
	bool force = mode != RM_WAIT;
	char state_path[160], online_path[160], *s;
	xs_transaction_t t;
	bool ok, closed;

	snprintf(state_path, sizeof(state_path), "%s/state", v->be);
	snprintf(online_path, sizeof(online_path), "%s/online", v->be);
	do {
		t = tx_start(h);
		s = xs_get(h, t, "%s", state_path);
		if (s == NULL && !force) {
			xs_transaction_end(h, t, true);
			die("cannot read %s: %s (use --force)", state_path,
			    strerror(errno));
		}
		closed = s != NULL && atoi(s) == XB_CLOSED;
		ok = true;
		if (s != NULL) {
			ok = xs_put(h, t, online_path, "0");
			if (!closed)
				ok &= xs_put(h, t, state_path, "5");
		}
		free(s);
	} while (tx_retry(h, t, ok, "vif detach"));
	if (mode != RM_FORCE && !closed &&
	    !wait_state(h, state_path, XB_CLOSED, timeout_s * 1000) &&
	    mode == RM_WAIT)
		die("the backend of vif %u of domain %u did not close within "
		    "%d s; nothing removed (use --force)", v->devid,
		    v->fe_domid, timeout_s);
	do {
		t = tx_start(h);
		/* Each may be gone already; what is left is removed. */
		path_cleanup(h, t, v->fe);
		path_cleanup(h, t, v->be);
		path_cleanup(h, t, v->lx);
	} while (tx_retry(h, t, true, "vif detach"));
}

static int
cmd_vif_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "frontend", required_argument, NULL, 'f' },
		{ "devid", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int fe = UINT_MAX, devid = 0;
	int timeout_s = DEFAULT_TIMEOUT_S, o;
	struct xs_handle *h;
	bool force = false;
	struct vif v;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			fe = parse_domid("--frontend", optarg);
			break;
		case 'd':
			devid = parse_num("--devid", optarg, 0, 65535);
			break;
		case 'F':
			force = true;
			break;
		case 't':
			timeout_s = parse_num("--timeout", optarg, 0, 3600);
			break;
		default:
			bad_usage("vif detach: unknown option");
		}
	}
	if (optind != argc)
		bad_usage("vif detach: unexpected argument '%s'", argv[optind]);
	if (fe == UINT_MAX)
		bad_usage("vif detach needs --frontend N");
	h = xs_connect();
	need_domain(h, fe);
	if (!vif_lookup(h, fe, devid, &v))
		die("domain %u has no vif %u", fe, devid);
	vif_remove(h, &v, force ? RM_FORCE : RM_WAIT, timeout_s);
	xs_close(h);
	return 0;
}

static int
cmd_domain_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int domid = UINT_MAX, num, i;
	int timeout_s = DEFAULT_TIMEOUT_S, o, rc;
	char path[64], **list, *vmp, *e;
	struct xs_handle *h;
	unsigned long dev;
	struct vif v;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			domid = parse_domid("--domid", optarg);
			break;
		case 't':
			timeout_s = parse_num("--timeout", optarg, 0, 3600);
			break;
		default:
			bad_usage("domain destroy: unknown option");
		}
	}
	if (optind != argc)
		bad_usage("domain destroy: unexpected argument '%s'",
			  argv[optind]);
	if (domid == UINT_MAX)
		bad_usage("domain destroy needs --domid N");
	if (domid == 0)
		bad_usage("domain 0 goes with `xenemu stop`");
	h = xs_connect();
	if (!domain_known(h, domid) &&
	    xenemu_domain_exists(state_dir, domid) != 1)
		die("no domain %u", domid);

	/* libxl__devices_destroy(): each vif, forced, the backend told first. */
	snprintf(path, sizeof(path), "/libxl/%u/device/vif", domid);
	list = xs_directory(h, XBT_NULL, path, &num);
	for (i = 0; list != NULL && i < num; i++) {
		dev = strtoul(list[i], &e, 10);
		if (*e != '\0' || dev > 65535)
			continue;
		if (vif_lookup(h, domid, dev, &v))
			vif_remove(h, &v, RM_TRY, timeout_s);
	}
	free(list);

	/* devices_destroy_cb(): the vm, home and toolstack directories. */
	vmp = xs_get(h, XBT_NULL, "/local/domain/%u/vm", domid);
	if (vmp != NULL && strncmp(vmp, "/vm/", 4) == 0)
		xs_rm(h, XBT_NULL, vmp);
	free(vmp);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(h, XBT_NULL, path);
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	xs_rm(h, XBT_NULL, path);

	/* The hypervisor's part: grants revoked, ports closed. */
	rc = xenemu_domain_destroy(state_dir, domid);
	if (rc != 0 && rc != -ENOENT)
		warnmsg("destroying domain %u's grants and ports: %s", domid,
			strerror(-rc));
	/* xenstored notices the domain is gone: @releaseDomain fires. */
	if (!xs_release_domain(h, domid) && errno != ENOENT)
		die("XS_RELEASE of domain %u: %s", domid, strerror(errno));
	xs_close(h);
	return 0;
}

static int
cmd_domain_list(int argc, char **argv)
{
	struct xs_handle *h;
	char **list, *name;
	unsigned int num, i;
	unsigned long id;
	char *e;

	(void)argv;
	if (argc != 1)
		bad_usage("domain list takes no arguments");
	h = xs_connect();
	list = xs_directory(h, XBT_NULL, "/local/domain", &num);
	if (list == NULL)
		die("cannot list /local/domain: %s", strerror(errno));
	printf("%-40s %5s\n", "Name", "ID");
	for (i = 0; i < num; i++) {
		id = strtoul(list[i], &e, 10);
		if (*e != '\0' || id >= DOMID_FIRST_RESERVED)
			continue;
		if (!domain_known(h, id))
			continue;
		name = xs_get(h, XBT_NULL, "/local/domain/%lu/name", id);
		printf("%-40s %5lu\n", name != NULL ? name : "", id);
		free(name);
	}
	free(list);
	xs_close(h);
	return 0;
}

/* ---- exec / env ---- */

/* The directory of xenemu's libxengnttab.so.1 and libxenevtchn.so.1. */
static void
find_libdir(char *out, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32], *real;
	const char *env = getenv("XENEMU_LIBDIR");

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s", env);
		return;
	}
	exe_dir(exe, sizeof(exe));
	/* The build tree: build/xenemu/xenemu, build/xenemu/lib. */
	snprintf(probe, sizeof(probe), "%s/lib/libxengnttab.so.1", exe);
	if (access(probe, R_OK) == 0) {
		snprintf(probe, sizeof(probe), "%s/lib", exe);
		real = realpath(probe, NULL);
		if (real != NULL) {
			snprintf(out, len, "%s", real);
			free(real);
			return;
		}
	}
	/* Installed: <libdir>/xenemu. */
	snprintf(probe, sizeof(probe), "%s/libxengnttab.so.1",
		 XENEMU_INSTALL_LIBDIR);
	if (access(probe, R_OK) == 0) {
		snprintf(out, len, "%s", XENEMU_INSTALL_LIBDIR);
		return;
	}
	die("cannot find xenemu's libxengnttab.so.1 (looked in %s/lib and "
	    "%s); set XENEMU_LIBDIR", exe, XENEMU_INSTALL_LIBDIR);
}

struct domenv {
	char dir[PATH_MAX];
	char domid[16];
	char xenstored[PATH_MAX];
	char ld[2 * PATH_MAX + 2];
};

static void
domain_env(unsigned int domid, struct domenv *de)
{
	const char *old = getenv("LD_LIBRARY_PATH");
	char libdir[PATH_MAX];
	struct xs_handle *h = xs_connect();

	need_domain(h, domid);
	xs_close(h);
	find_libdir(libdir, sizeof(libdir));
	snprintf(de->dir, sizeof(de->dir), "%s", state_dir);
	snprintf(de->domid, sizeof(de->domid), "%u", domid);
	socket_path(de->xenstored, sizeof(de->xenstored), domid);
	if ((size_t)snprintf(de->ld, sizeof(de->ld), "%s%s%s", libdir,
			     old != NULL && old[0] != '\0' ? ":" : "",
			     old != NULL ? old : "") >= sizeof(de->ld))
		die("LD_LIBRARY_PATH is too long");
}

static unsigned int
domid_option(int argc, char **argv, const char *cmd)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int domid = UINT_MAX;
	int o;

	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o != 'd')
			bad_usage("%s: unknown option", cmd);
		domid = parse_domid("--domid", optarg);
	}
	if (domid == UINT_MAX)
		bad_usage("%s needs --domid N", cmd);
	return domid;
}

static int
cmd_exec(int argc, char **argv)
{
	unsigned int domid = domid_option(argc, argv, "exec");
	struct domenv de;

	if (optind >= argc)
		bad_usage("exec needs a program: xenemu exec --domid N -- "
			  "PROGRAM [ARGS...]");
	domain_env(domid, &de);
	if (setenv("XENEMU_DIR", de.dir, 1) != 0 ||
	    setenv("XENEMU_DOMID", de.domid, 1) != 0 ||
	    setenv("XENSTORED_PATH", de.xenstored, 1) != 0 ||
	    setenv("LD_LIBRARY_PATH", de.ld, 1) != 0)
		die("setenv: %s", strerror(errno));
	execvp(argv[optind], argv + optind);
	die("cannot run %s: %s", argv[optind], strerror(errno));
}

/* Prints <s> single-quoted for a POSIX shell. */
static void
shell_quote(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

static int
cmd_env(int argc, char **argv)
{
	unsigned int domid = domid_option(argc, argv, "env");
	const char *names[] = { "XENEMU_DIR", "XENEMU_DOMID", "XENSTORED_PATH",
				"LD_LIBRARY_PATH" };
	const char *values[4];
	struct domenv de;
	unsigned int i;

	if (optind != argc)
		bad_usage("env: unexpected argument '%s'", argv[optind]);
	domain_env(domid, &de);
	values[0] = de.dir;
	values[1] = de.domid;
	values[2] = de.xenstored;
	values[3] = de.ld;
	for (i = 0; i < 4; i++) {
		printf("export %s=", names[i]);
		shell_quote(values[i]);
		putchar('\n');
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd, *sub;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	init_state_dir();
	if (strcmp(cmd, "start") == 0)
		return cmd_start(argc - 1, argv + 1);
	if (strcmp(cmd, "stop") == 0)
		return cmd_stop(argc - 1, argv + 1);
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(argc - 1, argv + 1);
	if (strcmp(cmd, "env") == 0)
		return cmd_env(argc - 1, argv + 1);
	if (strcmp(cmd, "domain") == 0 || strcmp(cmd, "vif") == 0) {
		if (argc < 3)
			bad_usage("%s needs a subcommand", cmd);
		sub = argv[2];
		if (strcmp(cmd, "domain") == 0 && strcmp(sub, "create") == 0)
			return cmd_domain_create(argc - 2, argv + 2);
		if (strcmp(cmd, "domain") == 0 && strcmp(sub, "destroy") == 0)
			return cmd_domain_destroy(argc - 2, argv + 2);
		if (strcmp(cmd, "domain") == 0 && strcmp(sub, "list") == 0)
			return cmd_domain_list(argc - 2, argv + 2);
		if (strcmp(cmd, "vif") == 0 && strcmp(sub, "attach") == 0)
			return cmd_vif_attach(argc - 2, argv + 2);
		if (strcmp(cmd, "vif") == 0 && strcmp(sub, "detach") == 0)
			return cmd_vif_detach(argc - 2, argv + 2);
		bad_usage("unknown command '%s %s'", cmd, sub);
	}
	bad_usage("unknown command '%s'", cmd);
}
