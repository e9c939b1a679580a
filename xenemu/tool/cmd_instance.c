/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `xenemu start` and `xenemu stop`: the instance's life. Owns the xenstore
 * daemon (finding its binary, spawning it as a daemon and waiting until it
 * listens, telling whether it runs, stopping it, removing its files),
 * domain 0, the instance marker, and connecting to the daemon as dom0.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenemu_core.h"
#include "xenemu.h"

/* How long `start` waits for the daemon, and `stop` for it to exit. */
#define DAEMON_TIMEOUT_MS 10000
#define XENSTORED_COMM "xenemu-xenstore"	/* its /proc comm (15 chars) */
/* Marks a running (or crashed) instance; says if start made the directory. */
#define MARKER ".xenemu-instance"

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

struct xs_handle *
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

/* Undoes a start that failed half-way, then dies with <why>. */
static void __attribute__((noreturn))
start_failed(pid_t pid, const char *marker, const char *why, int err)
{
	stop_daemon(pid);
	destroy_all_domains();
	remove_daemon_files(false);
	unlink(marker);
	die("%s: %s", why, strerror(err));
}

static const struct opt no_opts[] = { { .name = NULL } };

int
cmd_start(const char *cmd, int argc, char **argv)
{
	char path[PATH_MAX], marker[PATH_MAX];
	bool created = false;
	struct xs_handle *h;
	pid_t pid;
	int rc;

	parse_options(cmd, argc, argv, no_opts, REST_NONE);
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
	path_join(marker, sizeof(marker), state_dir, MARKER);
	if (write_small(marker, created ? "created-dir\n" : "\n") != 0)
		die("cannot write %s", marker);

	pid = spawn_daemon();
	rc = xenemu_domain_create(state_dir, 0, 0, 0);
	if (rc != 0)
		start_failed(pid, marker, "cannot create domain 0", -rc);
	/* What xen-init-dom0 writes. */
	h = xs_connect();
	if (!xs_put(h, XBT_NULL, "/local/domain/0/domid", "0") ||
	    !xs_put(h, XBT_NULL, "/local/domain/0/name", "Domain-0")) {
		rc = errno;
		xs_close(h);
		start_failed(pid, marker, "cannot set up domain 0 in xenstore",
			     rc);
	}
	xs_close(h);
	printf("xenemu: started in %s (xenstored pid %d)\n", state_dir,
	       (int)pid);
	return 0;
}

int
cmd_stop(const char *cmd, int argc, char **argv)
{
	char path[PATH_MAX], marker[PATH_MAX], buf[64];
	bool had_marker;
	pid_t pid;

	parse_options(cmd, argc, argv, no_opts, REST_NONE);
	path_join(marker, sizeof(marker), state_dir, MARKER);
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
