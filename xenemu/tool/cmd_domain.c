/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `xenemu domain create|destroy|list|stat`: a domain's life as libxl leads it.
 * Owns the xenstore nodes libxl__domain_make() and libxl__build_post()
 * write (with their permissions), the core library's domain, XS_INTRODUCE
 * and XS_RELEASE; destroying a domain first removes its vifs (cmd_vif.c).
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

#include "xenemu_core.h"
#include "xenemu.h"

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

/* Removes the vm, home and toolstack directories of <domid>. */
static void
remove_domain_nodes(struct xs_handle *h, unsigned int domid)
{
	char path[64], *vmp;

	vmp = xs_get(h, XBT_NULL, "/local/domain/%u/vm", domid);
	if (vmp != NULL && strncmp(vmp, "/vm/", 4) == 0)
		xs_rm(h, XBT_NULL, vmp);
	free(vmp);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(h, XBT_NULL, path);
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	xs_rm(h, XBT_NULL, path);
}

/* --name: 1 to 255 printable characters. */
static void
parse_name(const char *opt, const char *arg, void *val)
{
	size_t i;

	(void)opt;
	if (arg[0] == '\0' || strlen(arg) > 255)
		bad_usage("--name must have 1 to 255 characters");
	for (i = 0; arg[i] != '\0'; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			bad_usage("--name must be printable");
	*(const char **)val = arg;
}

int
cmd_domain_create(const char *cmd, int argc, char **argv)
{
	unsigned int domid = 0, max_grants = 0, max_pages = 0, step;
	const char *name = NULL;
	const struct opt opts[] = {
		{ "domid", OPT_DOMID, &domid, .required = "N" },
		{ "name", OPT_FUNC, &name, .parse = parse_name },
		{ "max-grants", OPT_UINT, &max_grants, 1, UINT_MAX },
		{ "max-pages", OPT_UINT, &max_pages, 1, UINT_MAX },
		{ .name = NULL },
	};
	char namebuf[32], uuid[40];
	struct xs_handle *h;
	xs_transaction_t t;
	bool ok;
	int rc, other;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	if (domid == 0)
		bad_usage("domain 0 is created by `xenemu start`");
	if (name == NULL) {
		snprintf(namebuf, sizeof(namebuf), "dom%u", domid);
		name = namebuf;
	}

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
	/* libxl__domain_make(), then libxl__build_post(): a transaction each. */
	for (step = 0; step < 2; step++) {
		do {
			t = tx_start(h);
			ok = step == 0 ?
			     write_domain_nodes(h, t, domid, name, uuid) :
			     write_build_post(h, t, domid, uuid, max_pages ?
					      max_pages :
					      XENEMU_DEFAULT_MAX_PAGES);
			if (!ok) {
				rc = errno;
				xs_transaction_end(h, t, true);
				goto fail;
			}
		} while (tx_retry(h, t, true, "domain create"));
	}
	/* No ring, no event channel: the socket is the domain's xenbus. */
	if (!xs_introduce_domain(h, domid, 0, 0)) {
		rc = errno;
		goto fail;
	}
	xs_close(h);
	return 0;
fail:
	remove_domain_nodes(h, domid);
	xenemu_domain_destroy(state_dir, domid);
	xs_close(h);
	die("cannot create domain %u in xenstore: %s", domid, strerror(rc));
}

int
cmd_domain_destroy(const char *cmd, int argc, char **argv)
{
	unsigned int domid = 0, timeout_s = DEFAULT_TIMEOUT_S;
	const struct opt opts[] = {
		{ "domid", OPT_DOMID, &domid, .required = "N" },
		{ "timeout", OPT_UINT, &timeout_s, 0, 3600 },
		{ .name = NULL },
	};
	struct xs_handle *h;
	int rc;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	if (domid == 0)
		bad_usage("domain 0 goes with `xenemu stop`");
	h = xs_connect();
	if (!domain_known(h, domid) &&
	    xenemu_domain_exists(state_dir, domid) != 1)
		die("no domain %u", domid);

	/* libxl__devices_destroy(): each vif, the backend told first. */
	vif_remove_all(h, domid, (int)timeout_s);
	/* devices_destroy_cb(): the vm, home and toolstack directories. */
	remove_domain_nodes(h, domid);

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

static const struct opt no_opts[] = { { .name = NULL } };

int
cmd_domain_list(const char *cmd, int argc, char **argv)
{
	struct xs_handle *h;
	char **list, *name;
	unsigned int num, i;
	unsigned long id;
	char *e;

	parse_options(cmd, argc, argv, no_opts, REST_NONE);
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

/*
 * What a domain holds (grants, pages, pins, ports, handles), one key=value
 * per line, read from the core library's state without changing it: tests
 * compare it before and after a peer is killed to find leaks.
 */
int
cmd_domain_stat(const char *cmd, int argc, char **argv)
{
	struct xenemu_domain_stat st;
	unsigned int domid = 0;
	const struct opt opts[] = {
		{ "domid", OPT_DOMID, &domid, .required = "N" },
		{ .name = NULL },
	};
	int rc;

	parse_options(cmd, argc, argv, opts, REST_NONE);
	rc = xenemu_domain_stat(state_dir, (uint16_t)domid, &st);
	if (rc == -ENOENT)
		die("domain %u does not exist", domid);
	if (rc != 0)
		die("cannot read domain %u: %s", domid, strerror(-rc));
	printf("grants=%u\npages=%u\npins=%u\nrevoking=%u\nports=%u\n"
	       "handles=%u\ndead_handles=%u\n", st.grants, st.pages, st.pins,
	       st.revoking, st.ports, st.handles, st.dead_handles);
	return 0;
}
