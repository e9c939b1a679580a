/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback discovery: which port serves which vif, and the wildcard.
 *
 * The port registry lists every net_xenback port of the process with the
 * vif it serves or waits for, so that two ports never serve one vif: a
 * port bound by domain id claims its vif at probe, a port bound by name
 * (devarg domain) claims the vif of its domain's current incarnation when
 * it finds it and releases it when the vif goes (xenback_xenbus.c).
 *
 * The wildcard: net_xenback probed without a domain (no domid, or
 * domid=any) creates no ethdev. It watches the backend's backend/vif
 * directory on a control thread of its own (struct xenpv_ctl, as a port's)
 * and, for each vif that appears and that no port serves or waits for,
 * creates a port with rte_vdev_init(): "net_xenback_<domain>_<devid>" with
 * devargs domain=<domain>,devid=<devid> and the wildcard's own feature
 * devargs. The port is bound by name, so it follows its guest across
 * reboots; ethdev raises RTE_ETH_EVENT_NEW for it. The name is the domain's
 * name from xenstore (written by the toolstack in dom0's part of the store,
 * not by the guest, but checked anyway: at most XENBACK_DOMAIN_NAME_MAX
 * characters, each outside [A-Za-z0-9_.-] replaced by '_'). A domain
 * without a name gets a port bound by domain id, "net_xenback_dom<N>_<D>".
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_string_fns.h>

#include <ethdev_driver.h>

#include "xenback.h"
#include "xenpv_vdev.h"

/* How many directory entries one look at backend/vif takes, at most. */
#define XENBACK_SCAN_MAX	4096
/* How many vifs a wildcard remembers having logged about. */
#define XENBACK_WILD_SAID	64
/* Where Linux's xen-netback lists the vifs it serves. */
#define XENBACK_NETBACK_SYSFS	"/sys/bus/xen-backend/devices"

static pthread_mutex_t xenback_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, xenback_dev) xenback_reg =
	TAILQ_HEAD_INITIALIZER(xenback_reg);

/*
 * Enter a new port. A port bound by domain id claims its vif now; a port
 * bound by name must be the only one for that name and devid. -EEXIST
 * (logged) if another port has either.
 */
int
xenback_reg_add(struct xenback_dev *xd)
{
	char other[RTE_ETH_NAME_MAX_LEN] = "";
	struct xenback_dev *o;
	int rc = 0;

	pthread_mutex_lock(&xenback_reg_lock);
	TAILQ_FOREACH(o, &xenback_reg, reg) {
		if (o->devid != xd->devid)
			continue;
		if (xd->by_name ? o->by_name &&
				  strcmp(o->domain, xd->domain) == 0 :
				  o->bound && o->fe_domid == xd->fe_domid) {
			strlcpy(other, o->name, sizeof(other));
			rc = -EEXIST;
			break;
		}
	}
	if (rc == 0) {
		xd->bound = !xd->by_name;
		TAILQ_INSERT_TAIL(&xenback_reg, xd, reg);
	}
	pthread_mutex_unlock(&xenback_reg_lock);
	if (rc < 0 && xd->by_name)
		XENBACK_LOG(ERR, "%s: vif %u of domain \"%s\" is already served by port %s",
			    xd->name, xd->devid, xd->domain, other);
	else if (rc < 0)
		XENBACK_LOG(ERR, "%s: vif %u.%u is already served by a port (%s)",
			    xd->name, xd->fe_domid, xd->devid, other);
	return rc;
}

void
xenback_reg_del(struct xenback_dev *xd)
{
	pthread_mutex_lock(&xenback_reg_lock);
	TAILQ_REMOVE(&xenback_reg, xd, reg);
	xd->bound = false;
	pthread_mutex_unlock(&xenback_reg_lock);
}

/* A port bound by name takes vif devid of @domid, unless a port has it. */
bool
xenback_reg_claim(struct xenback_dev *xd, uint16_t domid)
{
	struct xenback_dev *o;
	bool ok = true;

	pthread_mutex_lock(&xenback_reg_lock);
	TAILQ_FOREACH(o, &xenback_reg, reg)
		if (o != xd && o->bound && o->fe_domid == domid &&
		    o->devid == xd->devid)
			ok = false;
	if (ok) {
		xd->fe_domid = domid;
		xd->bound = true;
	}
	pthread_mutex_unlock(&xenback_reg_lock);
	return ok;
}

void
xenback_reg_release(struct xenback_dev *xd)
{
	pthread_mutex_lock(&xenback_reg_lock);
	xd->bound = false;
	pthread_mutex_unlock(&xenback_reg_lock);
}

/*
 * Does a port serve vif @devid of @domid, or wait for vif @devid of the
 * domain named @name ("" for none)? The wildcard leaves such a vif alone.
 */
static bool
xenback_reg_wanted(uint16_t domid, uint32_t devid, const char *name)
{
	struct xenback_dev *o;
	bool wanted = false;

	pthread_mutex_lock(&xenback_reg_lock);
	TAILQ_FOREACH(o, &xenback_reg, reg)
		if (o->devid == devid &&
		    ((o->bound && o->fe_domid == domid) ||
		     (o->by_name && name[0] != '\0' &&
		      strcmp(o->domain, name) == 0)))
			wanted = true;
	pthread_mutex_unlock(&xenback_reg_lock);
	return wanted;
}

/*
 * libxl names a domain being migrated in "<name>--incoming" until the
 * migration is over, then renames it "<name>" (libxl_domain_rename). It
 * makes the domain's vifs, and waits for their InitWait, under the first
 * name: to the ports it is the guest of the second.
 */
#define XENBACK_INCOMING_SUFFIX "--incoming"

/*
 * The name of domain @domid as a port name part (without libxl's
 * "--incoming"): 0, -ENOENT (no name), -ENAMETOOLONG (above
 * XENBACK_DOMAIN_NAME_MAX, or @size).
 */
int
xenback_domain_name(struct xs_handle *xs, unsigned int domid, char *buf,
		    size_t size)
{
	const size_t sfx = sizeof(XENBACK_INCOMING_SUFFIX) - 1;
	size_t len, i;
	char *s;

	s = xenpv_xs_read(xs, XBT_NULL, "/local/domain/%u/name", domid);
	if (s == NULL || s[0] == '\0') {
		free(s);
		return -ENOENT;
	}
	len = strnlen(s, XENBACK_DOMAIN_NAME_MAX + sfx + 1);
	if (len > sfx && strcmp(s + len - sfx, XENBACK_INCOMING_SUFFIX) == 0)
		len -= sfx;
	if (len > XENBACK_DOMAIN_NAME_MAX || len >= size) {
		free(s);
		return -ENAMETOOLONG;
	}
	for (i = 0; i < len; i++)
		buf[i] = xenpv_name_char(s[i]) ? s[i] : '_';
	buf[len] = '\0';
	free(s);
	return 0;
}

/*
 * Does Linux's xen-netback serve vif @devid of @domid? The kernel's xenbus
 * lists every vif backend directory as a device of the xen-backend bus,
 * also when no driver takes it (xen-netback unloaded): only a bound driver
 * (its "driver" link) serves it.
 */
bool
xenback_netback_serves(unsigned int domid, unsigned int devid)
{
	char p[112];

	snprintf(p, sizeof(p), XENBACK_NETBACK_SYSFS "/vif-%u-%u/driver",
		 domid, devid);
	return access(p, F_OK) == 0;
}

/*
 * Is the vif at @be_path going away (its toolstack wrote online 0, or it is
 * closing or closed) or not ready (no frontend key yet)?
 */
bool
xenback_vif_dying(struct xs_handle *xs, const char *be_path)
{
	unsigned long v;
	char *fe;
	int st;

	fe = xenpv_xs_read(xs, XBT_NULL, "%s/%s", be_path,
			   XENPV_NETIF_FRONTEND);
	if (fe == NULL)
		return true;
	free(fe);
	if (xenpv_xs_read_uint(xs, XBT_NULL, &v, UINT32_MAX, "%s/%s",
			       be_path, XENPV_NETIF_ONLINE) == 0 && v == 0)
		return true;
	st = xenpv_bus_read_state(xs, be_path);
	return st == XenbusStateClosing || st == XenbusStateClosed;
}

/*
 * A watch event below backend/vif (@dir) that may mean a vif appeared or
 * went: the directory itself, a domain's or a vif's directory, a vif's
 * frontend key. Every other key (states, features, our own writes) is not.
 */
bool
xenback_dir_event(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	unsigned int depth = 0;
	const char *p, *last;

	if (strncmp(path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return false;
	last = path + n;
	for (p = path + n; *p != '\0'; p++) {
		if (*p == '/') {
			depth++;
			last = p + 1;
		}
	}
	return depth <= 2 ||
	       (depth == 3 && strcmp(last, XENPV_NETIF_FRONTEND) == 0);
}

/* Sort helper: directory entries as numbers. */
static int
xenback_cmp_num(const void *a, const void *b)
{
	unsigned long x = strtoul(*(char *const *)a, NULL, 10);
	unsigned long y = strtoul(*(char *const *)b, NULL, 10);

	return x < y ? -1 : x > y;
}

/*
 * The entries of @path that are plain decimals not above @max, sorted:
 * a malloc'd list (free() it), NULL if none.
 */
char **
xenback_list_ids(struct xs_handle *xs, const char *path, unsigned long max,
		 unsigned int *num)
{
	unsigned int n, i, k = 0;
	unsigned long v;
	char **list;

	*num = 0;
	list = xs_directory(xs, XBT_NULL, path, &n);
	if (list == NULL)
		return NULL;
	for (i = 0; i < n && k < XENBACK_SCAN_MAX; i++)
		if (xenpv_parse_uint(list[i], &v, max) == 0)
			list[k++] = list[i];
	qsort(list, k, sizeof(list[0]), xenback_cmp_num);
	*num = k;
	return list;
}

/* The wildcard: a vdev with no ethdev that creates ports (top of file). */
struct xenback_wild {
	TAILQ_ENTRY(xenback_wild) next;
	char name[RTE_DEV_NAME_MAX_LEN];	/* the vdev's */
	char args[256];		/* ",k=v..." handed to each port */
	int64_t devid;		/* only vifs of this devid; -1: any */
	char dir[XENPV_PATH_MAX];	/* /local/domain/<self>/backend/vif */
	struct xs_handle *xs;
	struct xenpv_ctl ctl;
	uint32_t scan;		/* a scan is due (atomic) */
	/* vifs logged about already (left alone, refused): said once */
	struct {
		uint16_t domid;
		uint32_t devid;
	} said[XENBACK_WILD_SAID];
	unsigned int said_n;
};

/* The wildcards, for remove; only the application's threads touch it. */
static pthread_mutex_t xenback_wild_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, xenback_wild) xenback_wilds =
	TAILQ_HEAD_INITIALIZER(xenback_wilds);

/* Has the wildcard logged about this vif? (and remember it did) */
static bool
xenback_wild_said(struct xenback_wild *w, uint16_t domid, uint32_t devid)
{
	unsigned int i, n = RTE_MIN(w->said_n, (unsigned int)XENBACK_WILD_SAID);

	for (i = 0; i < n; i++)
		if (w->said[i].domid == domid && w->said[i].devid == devid)
			return true;
	i = w->said_n++ % XENBACK_WILD_SAID;
	w->said[i].domid = domid;
	w->said[i].devid = devid;
	return false;
}

/* A vif in the directory: create a port for it if nobody serves it. */
static void
xenback_wild_vif(struct xenback_wild *w, uint16_t domid, uint32_t devid)
{
	char be[XENPV_PATH_MAX], dom[XENBACK_DOMAIN_NAME_MAX + 1];
	char pname[RTE_DEV_NAME_MAX_LEN], pargs[384];
	int rc, n;

	n = snprintf(be, sizeof(be), "%s/%u/%u", w->dir, domid, devid);
	if (n < 0 || (size_t)n >= sizeof(be) || xenback_vif_dying(w->xs, be))
		return;
	rc = xenback_domain_name(w->xs, domid, dom, sizeof(dom));
	if (rc == -ENOENT) {
		dom[0] = '\0';
	} else if (rc < 0) {
		if (!xenback_wild_said(w, domid, devid))
			XENBACK_LOG(ERR,
				    "%s: domain %u has a name longer than %u characters: its vif %u is not served",
				    w->name, domid, XENBACK_DOMAIN_NAME_MAX,
				    devid);
		return;
	}
	if (xenback_reg_wanted(domid, devid, dom))
		return;
	if (xenback_netback_serves(domid, devid)) {
		if (!xenback_wild_said(w, domid, devid))
			XENBACK_LOG(NOTICE,
				    "%s: vif %u.%u is served by Linux's xen-netback (" XENBACK_NETBACK_SYSFS "/vif-%u-%u/driver): left alone",
				    w->name, domid, devid, domid, devid);
		return;
	}
	if (dom[0] != '\0') {
		snprintf(pname, sizeof(pname), "net_xenback_%s_%u", dom, devid);
		n = snprintf(pargs, sizeof(pargs), "domain=%s,devid=%u%s",
			     dom, devid, w->args);
	} else {
		snprintf(pname, sizeof(pname), "net_xenback_dom%u_%u", domid,
			 devid);
		n = snprintf(pargs, sizeof(pargs), "domid=%u,devid=%u%s",
			     domid, devid, w->args);
	}
	if (n < 0 || (size_t)n >= sizeof(pargs))
		return;
	rc = rte_vdev_init(pname, pargs);
	if (rc == -EEXIST && rte_eth_dev_allocated(pname) == NULL) {
		/* its port was closed (testpmd on RMV): the device is left */
		rte_vdev_uninit(pname);
		rc = rte_vdev_init(pname, pargs);
	}
	if (rc < 0) {
		if (!xenback_wild_said(w, domid, devid))
			XENBACK_LOG(ERR, "%s: cannot create port %s for vif %u.%u: %s",
				    w->name, pname, domid, devid,
				    strerror(-rc));
		return;
	}
	XENBACK_LOG(NOTICE, "%s: vif %u.%u of domain \"%s\": port %s created",
		    w->name, domid, devid, dom[0] ? dom : "-", pname);
}

/* Look at every vif in the directory, in order of domid and devid. */
static void
xenback_wild_scan(struct xenback_wild *w)
{
	char path[XENPV_PATH_MAX], **doms, **devs;
	unsigned int nd, nv, i, j;
	unsigned long domid, devid;

	doms = xenback_list_ids(w->xs, w->dir, DOMID_FIRST_RESERVED - 1, &nd);
	for (i = 0; i < nd; i++) {
		domid = strtoul(doms[i], NULL, 10);
		if (snprintf(path, sizeof(path), "%s/%lu", w->dir, domid) >=
		    (int)sizeof(path))
			continue;
		devs = xenback_list_ids(w->xs, path, INT32_MAX, &nv);
		for (j = 0; j < nv; j++) {
			devid = strtoul(devs[j], NULL, 10);
			if (w->devid < 0 || (int64_t)devid == w->devid)
				xenback_wild_vif(w, (uint16_t)domid,
						 (uint32_t)devid);
		}
		free(devs);
	}
	free(doms);
}

static void
xenback_wild_event(void *arg, const char *path, const char *token)
{
	struct xenback_wild *w = arg;

	RTE_SET_USED(token);
	if (xenback_dir_event(w->dir, path))
		__atomic_store_n(&w->scan, 1, __ATOMIC_RELAXED);
}

static int
xenback_wild_run(void *arg)
{
	struct xenback_wild *w = arg;

	if (__atomic_exchange_n(&w->scan, 0, __ATOMIC_RELAXED))
		xenback_wild_scan(w);
	return -1;
}

int
xenback_wild_start(const char *name, const char *port_args, int64_t devid)
{
	char tname[RTE_MAX_THREAD_NAME_LEN];
	static unsigned int nb_wild;
	struct xenback_wild *w;
	unsigned long self = 0;
	int rc;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	strlcpy(w->name, name, sizeof(w->name));
	if (strlcpy(w->args, port_args, sizeof(w->args)) >= sizeof(w->args)) {
		free(w);
		return -E2BIG;
	}
	w->devid = devid;
	w->xs = xs_open(0);
	if (w->xs == NULL) {
		rc = errno ? -errno : -EIO;
		XENBACK_LOG(ERR, "%s: cannot connect to xenstore: %s", name,
			    strerror(-rc));
		free(w);
		return rc;
	}
	/* the store resolves the relative key per caller */
	if (xenpv_xs_read_uint(w->xs, XBT_NULL, &self,
			       DOMID_FIRST_RESERVED - 1, "domid") != 0)
		self = 0;
	snprintf(w->dir, sizeof(w->dir), "/local/domain/%lu/backend/vif",
		 self);
	/*
	 * The vifs there already get their ports now, from the probe: an
	 * application finds them when rte_eal_init returns (testpmd takes
	 * only the ports it finds then). rte_vdev_init from a vdev probe
	 * is safe: the vdev bus probes its list without its lock.
	 */
	xenback_wild_scan(w);
	snprintf(tname, sizeof(tname), "xb-wild-%u", nb_wild++);
	rc = xenpv_ctl_start(&w->ctl, tname, w->xs, xenback_wild_event,
			     xenback_wild_run, w, xenback_logtype);
	if (rc == 0) {
		/* fires once at once: the vifs there already are served */
		rc = xenpv_xs_watch(w->xs, w->dir, "wild");
		if (rc < 0) {
			XENBACK_LOG(ERR, "%s: cannot watch %s: %s", name,
				    w->dir, strerror(-rc));
			xenpv_ctl_stop(&w->ctl);
		}
	}
	if (rc < 0) {
		xs_close(w->xs);
		free(w);
		return rc;
	}
	pthread_mutex_lock(&xenback_wild_lock);
	TAILQ_INSERT_TAIL(&xenback_wilds, w, next);
	pthread_mutex_unlock(&xenback_wild_lock);
	XENBACK_LOG(INFO, "%s: serving every vif%s that appears in %s (no port of its own)",
		    name, devid < 0 ? "" : " of that devid", w->dir);
	return 0;
}

/* The vdev's remove: true if @name was a wildcard (now stopped). */
bool
xenback_wild_stop(const char *name)
{
	struct xenback_wild *w;

	pthread_mutex_lock(&xenback_wild_lock);
	TAILQ_FOREACH(w, &xenback_wilds, next)
		if (strcmp(w->name, name) == 0)
			break;
	if (w != NULL)
		TAILQ_REMOVE(&xenback_wilds, w, next);
	pthread_mutex_unlock(&xenback_wild_lock);
	if (w == NULL)
		return false;
	xenpv_ctl_stop(&w->ctl);
	xs_unwatch(w->xs, w->dir, "wild");
	xs_close(w->xs);
	free(w);
	return true;
}
