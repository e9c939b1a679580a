/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `xenemu vif attach|detach|list`: a vif as libxl 4.17 writes and removes
 * it. Owns the frontend, backend and /libxl keys of a vif with their
 * permissions, the devid and MAC defaults, libxl's hotplug sequence with
 * --wait (the backend must reach InitWait within the timeout, then the
 * vif's script runs as the backend's domain and reports hotplug-status),
 * and removal: telling the backend to close, waiting for it, running the
 * script's remove, removing what is left (also for every vif of a domain
 * being destroyed).
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenemu.h"

/* XenbusState values the toolstack writes or waits for. */
#define XB_INITIALISING 1
#define XB_INITWAIT 2
#define XB_CLOSING 5
#define XB_CLOSED 6

/* libxl's LIBXL_HOTPLUG_TIMEOUT: how long a hotplug script may run. */
#define HOTPLUG_TIMEOUT_S 40

/* Our record, in /libxl/N/device/vif/D, that the vif's script ran. */
#define HOTPLUG_RAN_KEY "xenemu-hotplug"

struct vif {
	unsigned int fe_domid;
	unsigned int be_domid;
	unsigned int devid;
	char fe[128];			/* /local/domain/N/device/vif/D */
	char be[128];			/* /local/domain/M/backend/vif/N/D */
	char lx[128];			/* /libxl/N/device/vif/D */
};

/* <v> for vif <devid> of frontend <fe> served by backend <be>. */
static void
vif_init(struct vif *v, unsigned int fe, unsigned int be, unsigned int devid)
{
	memset(v, 0, sizeof(*v));
	v->fe_domid = fe;
	v->be_domid = be;
	v->devid = devid;
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

	vif_init(v, domid, 0, devid);
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
	vif_init(v, domid, be_domid, devid);
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

/* A --mac value; <set> tells it was given. */
struct mac {
	uint8_t b[6];
	bool set;
};

static void
parse_mac(const char *opt, const char *s, void *val)
{
	struct mac *m = val;
	uint8_t *mac = m->b;
	unsigned int b[6], i;
	int n = 0;

	(void)opt;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &n) != 6 || s[n] != '\0' || strlen(s) != 17)
		bad_usage("--mac: '%s' is not a MAC address xx:xx:xx:xx:xx:xx",
			  s);
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	if (mac[0] & 1)
		bad_usage("--mac: %s is a multicast address", s);
	m->set = true;
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

/*
 * libxl__hotplug_nic() on Linux: runs the vif's <script> <action> (online
 * or offline) type_if=vif as the backend's domain, with the environment
 * libxl gives it (script, XENBUS_TYPE, XENBUS_PATH: the backend directory
 * relative to the backend domain's home, backend/vif/N/D, XENBUS_BASE_PATH,
 * vif: the vif's name vifN.D), and waits for it at most HOTPLUG_TIMEOUT_S.
 * The action words and the relative path are what Xen 4.17's xl gave
 * vif-dpdk under real Xen (interop scenario 6). Returns its exit status, or
 * -1 (could not run it, killed, timed out).
 */
static int
run_hotplug(const struct vif *v, const char *script, const char *action)
{
	char vifname[32], be_rel[64];
	long long deadline = now_ms() + HOTPLUG_TIMEOUT_S * 1000;
	int status;
	pid_t pid, r;

	snprintf(vifname, sizeof(vifname), "vif%u.%u", v->fe_domid, v->devid);
	snprintf(be_rel, sizeof(be_rel), "backend/vif/%u/%u", v->fe_domid,
		 v->devid);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		domain_setenv(v->be_domid);
		if (setenv("script", script, 1) != 0 ||
		    setenv("XENBUS_TYPE", "vif", 1) != 0 ||
		    setenv("XENBUS_PATH", be_rel, 1) != 0 ||
		    setenv("XENBUS_BASE_PATH", "backend", 1) != 0 ||
		    setenv("vif", vifname, 1) != 0)
			_exit(127);
		execl(script, script, action, "type_if=vif", (char *)NULL);
		fprintf(stderr, "xenemu: cannot run %s: %s\n", script,
			strerror(errno));
		_exit(127);
	}
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() > deadline) {
			warnmsg("%s %s: no exit within %d s; killed", script,
				action, HOTPLUG_TIMEOUT_S);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(20);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
	char state_path[160], online_path[160], *s, *ran, *script;
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
	/* libxl__device_hotplug() on removal: the script undoes its add */
	ran = xs_get(h, XBT_NULL, "%s/%s", v->lx, HOTPLUG_RAN_KEY);
	script = ran != NULL ? xs_get(h, XBT_NULL, "%s/script", v->be) : NULL;
	if (script != NULL && run_hotplug(v, script, "offline") != 0)
		warnmsg("hotplug script %s offline failed", script);
	free(script);
	free(ran);
	do {
		t = tx_start(h);
		/* Each may be gone already; what is left is removed. */
		path_cleanup(h, t, v->fe);
		path_cleanup(h, t, v->be);
		path_cleanup(h, t, v->lx);
	} while (tx_retry(h, t, true, "vif detach"));
}

/*
 * What libxl__device_add_async() does once the keys are written, with
 * --wait: the backend has <timeout_s> to reach InitWait, then the vif's
 * script runs and must succeed; hotplug-status is the script's to write.
 * A script that is not an executable file (vif-bridge, absent on a machine
 * without Xen's tools) is taken as one that succeeded at once. On failure,
 * as libxl, the vif is removed again and the attach fails.
 */
static void
vif_hotplug_add(struct xs_handle *h, const struct vif *v, const char *script,
		int timeout_s)
{
	char state_path[160];
	int rc;

	snprintf(state_path, sizeof(state_path), "%s/state", v->be);
	if (!wait_state(h, state_path, XB_INITWAIT, timeout_s * 1000)) {
		vif_remove(h, v, RM_FORCE, 0);
		die("the backend of vif %u of domain %u did not reach "
		    "InitWait within %d s (is a backend serving domain %u's "
		    "vifs?); vif removed", v->devid, v->fe_domid, timeout_s,
		    v->be_domid);
	}
	if (access(script, X_OK) != 0) {
		if (!xs_put_at(h, XBT_NULL, v->be, "hotplug-status",
			       "connected"))
			die("cannot write %s/hotplug-status: %s", v->be,
			    strerror(errno));
		return;
	}
	rc = run_hotplug(v, script, "online");
	if (rc != 0) {
		vif_remove(h, v, RM_FORCE, 0);
		die("hotplug script %s online failed (status %d); vif removed",
		    script, rc);
	}
	if (!xs_put_at(h, XBT_NULL, v->lx, HOTPLUG_RAN_KEY, "1"))
		die("cannot write %s/%s: %s", v->lx, HOTPLUG_RAN_KEY,
		    strerror(errno));
}

int
cmd_vif_attach(const char *cmd, int argc, char **argv)
{
	unsigned int fe, be, devid = UINT_MAX, mtu = 1500;
	unsigned int timeout_s = DEFAULT_TIMEOUT_S;
	const char *bridge = "xenbr0", *script = "/etc/xen/scripts/vif-bridge";
	struct domain_arg fe_arg = { 0, NULL }, be_arg = { 0, NULL };
	struct mac m = { .set = false };
	bool wait = false;
	const struct opt opts[] = {
		{ "frontend", OPT_DOMAIN, &fe_arg, .required = "DOM" },
		{ "backend", OPT_DOMAIN, &be_arg, .required = "DOM" },
		{ "devid", OPT_UINT, &devid, 0, 65535 },
		{ "mac", OPT_FUNC, &m, .parse = parse_mac },
		{ "mtu", OPT_UINT, &mtu, 68, 65535 },
		{ "bridge", OPT_STR, &bridge },
		{ "script", OPT_STR, &script },
		{ "wait", OPT_FLAG, &wait },
		{ "timeout", OPT_UINT, &timeout_s, 0, 3600 },
		{ .name = NULL },
	};
	char macs[18], mtus[16], handle[16], fe_id[16], be_id[16], st[4];
	struct xs_permissions fe_perms[2], ro_fe_perms[2], be_perms[2];
	uint8_t *mac = m.b;
	struct xs_handle *h;
	xs_transaction_t t;
	struct vif v;
	bool ok;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	if (bridge[0] == '\0' || strlen(bridge) > 255 || script[0] == '\0' ||
	    strlen(script) > 1024)
		bad_usage("--bridge and --script need a value (at most 255 and "
			  "1024 characters)");

	h = xs_connect();
	fe = domain_resolve(h, &fe_arg);
	be = domain_resolve(h, &be_arg);
	if (devid == UINT_MAX)
		devid = vif_nextid(h, fe);
	if (!m.set) {
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

	vif_init(&v, fe, be, devid);

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
			ok = xs_put_at(h, t, v.lx, "frontend", v.fe);
			ok &= xs_put_at(h, t, v.lx, "backend", v.be);

			xs_rm(h, t, v.fe);
			ok &= xs_mkdir(h, t, v.fe);
			ok &= xs_set_permissions(h, t, v.fe, fe_perms, 2);
			ok &= xs_put_at(h, t, v.fe, "backend", v.be);
			ok &= writev_perms(h, t, v.fe, fents, fe_perms, 2);
			ok &= writev_perms(h, t, v.fe, ro_fents, ro_fe_perms,
					   2);

			xs_rm(h, t, v.be);
			ok &= xs_mkdir(h, t, v.be);
			ok &= xs_set_permissions(h, t, v.be, be_perms, 2);
			ok &= xs_put_at(h, t, v.be, "frontend", v.fe);
			ok &= writev_perms(h, t, v.be, bk, NULL, 0);
			/* A copy for the toolstack, which needs no backend. */
			ok &= writev_perms(h, t, v.lx, bk, NULL, 0);
		} while (tx_retry(h, t, ok, "vif attach"));
	}
	if (wait) {
		vif_hotplug_add(h, &v, script, (int)timeout_s);
	} else if (!xs_put_at(h, XBT_NULL, v.be, "hotplug-status",
			      "connected")) {
		/*
		 * Without --wait no script runs: its success is reported at
		 * once, as vif-bridge does once the vif is in the bridge.
		 */
		die("cannot write %s/hotplug-status: %s", v.be,
		    strerror(errno));
	}
	printf("%u\n", devid);
	xs_close(h);
	return 0;
}

int
cmd_vif_detach(const char *cmd, int argc, char **argv)
{
	unsigned int fe, devid = 0, timeout_s = DEFAULT_TIMEOUT_S;
	struct domain_arg fe_arg = { 0, NULL };
	bool force = false;
	const struct opt opts[] = {
		{ "frontend", OPT_DOMAIN, &fe_arg, .required = "DOM" },
		{ "devid", OPT_UINT, &devid, 0, 65535 },
		{ "force", OPT_FLAG, &force },
		{ "timeout", OPT_UINT, &timeout_s, 0, 3600 },
		{ .name = NULL },
	};
	struct xs_handle *h;
	struct vif v;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	h = xs_connect();
	fe = domain_resolve(h, &fe_arg);
	if (!vif_lookup(h, fe, devid, &v))
		die("domain %u has no vif %u", fe, devid);
	vif_remove(h, &v, force ? RM_FORCE : RM_WAIT, (int)timeout_s);
	xs_close(h);
	return 0;
}

void
vif_remove_all(struct xs_handle *h, unsigned int domid, int timeout_s)
{
	unsigned int num, i;
	char path[64], **list, *e;
	unsigned long dev;
	struct vif v;

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
}

/* One row of `vif list` for vif <devid> of <domid>, if libxl recorded it. */
static void
vif_list_one(struct xs_handle *h, unsigned int domid, unsigned int devid)
{
	char *name, *fes, *bes, *mac, *hp;
	struct vif v;

	if (!vif_lookup(h, domid, devid, &v))
		return;
	name = xs_get(h, XBT_NULL, "/local/domain/%u/name", domid);
	fes = xs_get(h, XBT_NULL, "%s/state", v.fe);
	bes = xs_get(h, XBT_NULL, "%s/state", v.be);
	mac = xs_get(h, XBT_NULL, "%s/mac", v.be);
	hp = xs_get(h, XBT_NULL, "%s/hotplug-status", v.be);
	printf("%-8u %-16s %-5u %-7u %-8s %-8s %-17s %s\n", domid,
	       name != NULL ? name : "-", devid, v.be_domid,
	       fes != NULL ? fes : "-", bes != NULL ? bes : "-",
	       mac != NULL ? mac : "-",
	       hp == NULL ? "-" : hp[0] == '\0' ? "(pending)" : hp);
	free(name);
	free(fes);
	free(bes);
	free(mac);
	free(hp);
}

/* The entries of directory <path> (none if it is missing). */
static char **
num_dir(struct xs_handle *h, const char *path, unsigned int *num)
{
	char **list = xs_directory(h, XBT_NULL, path, num);

	if (list == NULL)
		*num = 0;
	return list;
}

int
cmd_vif_list(const char *cmd, int argc, char **argv)
{
	/* UINT_MAX: no --frontend, every domain's vifs */
	struct domain_arg fe_arg = { UINT_MAX, NULL };
	const struct opt opts[] = {
		{ "frontend", OPT_DOMAIN, &fe_arg },
		{ .name = NULL },
	};
	unsigned int nd, nv, i, j, only = UINT_MAX;
	char path[64], **doms, **vifs, *e;
	unsigned long dom, dev;
	struct xs_handle *h;
	bool one;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	one = fe_arg.name != NULL || fe_arg.domid != UINT_MAX;
	h = xs_connect();
	if (one)
		only = domain_resolve(h, &fe_arg);
	printf("%-8s %-16s %-5s %-7s %-8s %-8s %-17s %s\n", "FRONTEND",
	       "NAME", "DEVID", "BACKEND", "FE-STATE", "BE-STATE", "MAC",
	       "HOTPLUG");
	doms = num_dir(h, "/libxl", &nd);
	for (i = 0; i < nd; i++) {
		dom = strtoul(doms[i], &e, 10);
		if (*e != '\0' || dom >= DOMID_FIRST_RESERVED ||
		    (one && dom != only))
			continue;
		snprintf(path, sizeof(path), "/libxl/%lu/device/vif", dom);
		vifs = num_dir(h, path, &nv);
		for (j = 0; j < nv; j++) {
			dev = strtoul(vifs[j], &e, 10);
			if (*e == '\0' && dev <= 65535)
				vif_list_one(h, (unsigned int)dom,
					     (unsigned int)dev);
		}
		free(vifs);
	}
	free(doms);
	xs_close(h);
	return 0;
}
