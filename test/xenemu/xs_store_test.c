/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of xstore, the node database of xenemu's xenstored: paths,
 * permissions as C xenstored enforces them, inheritance on creation,
 * permissions of dead domains, transactions and their conflicts, quotas,
 * and the change events the daemon turns into watch events.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xstore.h"

#include "xs_check.h"

#define CHECK_RC(expr, want) do {					\
	int rc_ = (expr);						\
	if (rc_ != (want)) {						\
		fprintf(stderr, "%s:%d: %s = %d (%s), want %d\n",	\
			__FILE__, __LINE__, #expr, rc_,			\
			rc_ < 0 ? strerror(-rc_) : "ok", (want));	\
		failures++;						\
	}								\
} while (0)

/* Domains the "hypervisor" has: 0..9. */
static int
fake_exists(void *arg, unsigned int domid)
{
	(void)arg;
	return domid < 10;
}

/* The change events, as "name/exact;" for comparison. */
static char events[8192];

static void
record(void *arg, const char *name, bool exact,
       const struct xstore_perms *perms)
{
	(void)arg;
	(void)perms;
	snprintf(events + strlen(events), sizeof(events) - strlen(events),
		 "%s%s;", name, exact ? "!" : "");
}

static const struct xstore_ops ops = {
	.domain_exists = fake_exists,
	.fire = record,
};

static struct xstore_caller dom0 = { 0, NULL };

static struct xstore *
fresh(void)
{
	struct xstore *s = xstore_create(&ops, NULL);

	if (s == NULL) {
		fprintf(stderr, "xstore_create failed\n");
		exit(1);
	}
	events[0] = '\0';
	return s;
}

static void
set_perms(struct xstore *s, const struct xstore_caller *c, const char *name,
	  const char *spec, int want)
{
	struct xs_permissions p[8];
	struct xstore_perms perms = { 0, p };
	char buf[128];
	size_t len = strlen(spec) + 1, i;

	memcpy(buf, spec, len);
	for (i = 0; i < len; i++)
		if (buf[i] == ' ') {
			buf[i] = '\0';
			perms.num++;
		}
	perms.num++;
	CHECK_RC(xstore_perms_parse(buf, len, perms.num, p), 0);
	CHECK_RC(xstore_set_perms(s, c, name, &perms), want);
}

static char *
perms_str(struct xstore *s, const struct xstore_caller *c, const char *name)
{
	static char out[256];
	struct xstore_perms perms;
	size_t len = 0;
	unsigned int i;

	out[0] = '\0';
	if (xstore_get_perms(s, c, name, &perms) != 0)
		return out;
	for (i = 0; i < perms.num; i++) {
		len += xstore_perm_format(&perms.p[i], out + len,
					  sizeof(out) - len);
		if (i + 1 < perms.num)
			out[len++] = ',';
		out[len] = '\0';
	}
	return out;
}

static int
read_str(struct xstore *s, const struct xstore_caller *c, const char *name,
	 char *out, size_t outlen)
{
	const char *data;
	unsigned int len;
	int rc = xstore_read(s, c, name, &data, &len);

	if (rc == 0)
		snprintf(out, outlen, "%.*s", (int)len, data);
	return rc;
}

static void
test_paths(void)
{
	char out[64];
	struct xs_permissions p[2];

	CHECK_RC(xstore_canonicalize(3, "device/vif", out, sizeof(out)), 0);
	CHECK(strcmp(out, "/local/domain/3/device/vif") == 0);
	CHECK_RC(xstore_canonicalize(3, "/abs", out, sizeof(out)), 0);
	CHECK(strcmp(out, "/abs") == 0);
	CHECK_RC(xstore_canonicalize(3, "@releaseDomain", out, sizeof(out)), 0);
	CHECK(strcmp(out, "@releaseDomain") == 0);
	CHECK_RC(xstore_canonicalize(3, "x", out, 8), -EINVAL);

	CHECK(xstore_valid_name(0, "/"));
	CHECK(xstore_valid_name(0, "/a/b-c_d@e"));
	CHECK(!xstore_valid_name(0, "a"));
	CHECK(!xstore_valid_name(0, "/a/"));
	CHECK(!xstore_valid_name(0, "/a//b"));
	CHECK(!xstore_valid_name(0, "/a b"));
	CHECK(!xstore_valid_name(0, "/a.b"));

	CHECK(xstore_is_child("/a/b", "/a"));
	CHECK(xstore_is_child("/a", "/a"));
	CHECK(!xstore_is_child("/ab", "/a"));
	CHECK(xstore_is_child("/x", "/"));

	CHECK_RC(xstore_perms_parse("r5\0b0", 6, 2, p), 0);
	CHECK(p[0].id == 5 && p[0].perms == XS_PERM_READ);
	CHECK(p[1].id == 0 && p[1].perms == (XS_PERM_READ | XS_PERM_WRITE));
	CHECK_RC(xstore_perms_parse("x5", 3, 1, p), -EINVAL);
	CHECK_RC(xstore_perms_parse("r", 2, 1, p), -EINVAL);
	CHECK_RC(xstore_perms_parse("r5x", 4, 1, p), -EINVAL);
	CHECK_RC(xstore_perms_parse("r70000", 7, 1, p), -EINVAL);
	CHECK_RC(xstore_perms_parse("r5", 2, 1, p), -EINVAL);	/* no NUL */
	CHECK_RC(xstore_perm_format(&p[0], out, sizeof(out)), 2);
	CHECK(strcmp(out, "r5") == 0);
}

static void
test_basic(void)
{
	struct xstore *s = fresh();
	const char *ch;
	unsigned int len;
	uint64_t gen;
	char buf[64];

	/* C xenstored's initial nodes. */
	CHECK_RC(xstore_directory(s, &dom0, "/", &ch, &len, &gen), 0);
	CHECK(len == 5 && memcmp(ch, "tool", 5) == 0);
	CHECK_RC(xstore_directory(s, &dom0, "/tool", &ch, &len, &gen), 0);
	CHECK(len == 10 && memcmp(ch, "xenstored", 10) == 0);

	CHECK_RC(xstore_write(s, &dom0, "/a/b/c", "v", 1), 0);
	CHECK(strcmp(events, "/a/b/c;") == 0);
	CHECK_RC(read_str(s, &dom0, "/a/b/c", buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "v") == 0);
	/* Intermediate nodes exist, empty, with the parent's permissions. */
	CHECK_RC(read_str(s, &dom0, "/a/b", buf, sizeof(buf)), 0);
	CHECK(buf[0] == '\0');
	CHECK(strcmp(perms_str(s, &dom0, "/a/b"), "n0") == 0);
	/* Values are bytes, NULs included. */
	CHECK_RC(xstore_write(s, &dom0, "/a/bin", "x\0y", 3), 0);
	{
		const char *d;
		unsigned int l;

		CHECK_RC(xstore_read(s, &dom0, "/a/bin", &d, &l), 0);
		CHECK(l == 3 && memcmp(d, "x\0y", 3) == 0);
	}
	/* Children in creation order. */
	CHECK_RC(xstore_mkdir(s, &dom0, "/a/zz"), 0);
	CHECK_RC(xstore_mkdir(s, &dom0, "/a/aa"), 0);
	CHECK_RC(xstore_directory(s, &dom0, "/a", &ch, &len, &gen), 0);
	CHECK(len == 12 && memcmp(ch, "b\0bin\0zz\0aa", 12) == 0);
	/* mkdir of an existing node: fine, no event. */
	events[0] = '\0';
	CHECK_RC(xstore_mkdir(s, &dom0, "/a/zz"), 0);
	CHECK(events[0] == '\0');

	CHECK_RC(read_str(s, &dom0, "/nope", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(read_str(s, &dom0, "/a//b", buf, sizeof(buf)), -EINVAL);
	CHECK_RC(xstore_write(s, &dom0, "/a/", "", 0), -EINVAL);

	/* rm: children fire exactly, then the node itself. */
	events[0] = '\0';
	CHECK_RC(xstore_rm(s, &dom0, "/a/b"), 0);
	CHECK(strcmp(events, "/a/b/c!;/a/b;") == 0);
	CHECK_RC(read_str(s, &dom0, "/a/b/c", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(xstore_directory(s, &dom0, "/a", &ch, &len, &gen), 0);
	CHECK(len == 10 && memcmp(ch, "bin\0zz\0aa", 10) == 0);
	/* A missing node is fine if its parent exists, ENOENT otherwise. */
	CHECK_RC(xstore_rm(s, &dom0, "/a/b"), 0);
	CHECK_RC(xstore_rm(s, &dom0, "/q/r"), -ENOENT);
	CHECK_RC(xstore_rm(s, &dom0, "/"), -EINVAL);
	CHECK_RC(xstore_check(s), 0);
	xstore_destroy(s);
}

static void
test_perms(void)
{
	struct xstore *s = fresh();
	struct xstore_caller d1 = { 1, NULL }, d2 = { 2, NULL };
	char buf[64];

	CHECK_RC(xstore_domain_introduce(s, 1), 1);
	CHECK_RC(xstore_domain_introduce(s, 2), 1);
	CHECK_RC(xstore_domain_introduce(s, 2), 0);
	CHECK_RC(xstore_mkdir(s, &dom0, "/local/domain/1"), 0);
	set_perms(s, &dom0, "/local/domain/1", "n0 r1", 0);
	CHECK_RC(xstore_mkdir(s, &dom0, "/local/domain/1/data"), 0);
	set_perms(s, &dom0, "/local/domain/1/data", "n1", 0);

	/* The owner writes; what it creates is its own, with the parent's ACL. */
	CHECK_RC(xstore_write(s, &d1, "/local/domain/1/data/x", "1", 1), 0);
	CHECK(strcmp(perms_str(s, &dom0, "/local/domain/1/data/x"), "n1") == 0);
	/* Others see nothing: EACCES, for existing and missing nodes alike. */
	CHECK_RC(read_str(s, &d2, "/local/domain/1/data/x", buf, sizeof(buf)),
		 -EACCES);
	CHECK_RC(read_str(s, &d2, "/local/domain/1/data/nope", buf,
			  sizeof(buf)), -EACCES);
	CHECK_RC(xstore_write(s, &d2, "/local/domain/1/data/y", "1", 1),
		 -EACCES);
	/* Where the parent is readable, a missing node is ENOENT. */
	CHECK_RC(read_str(s, &d1, "/local/domain/1/nope", buf, sizeof(buf)),
		 -ENOENT);
	/* dom1 may read its home but not write there (n0 r1). */
	CHECK_RC(xstore_write(s, &d1, "/local/domain/1/z", "1", 1), -EACCES);
	/* Granting dom2 read: it reads, may not write. */
	set_perms(s, &d1, "/local/domain/1/data/x", "n1 r2", 0);
	CHECK_RC(read_str(s, &d2, "/local/domain/1/data/x", buf, sizeof(buf)),
		 0);
	CHECK_RC(xstore_write(s, &d2, "/local/domain/1/data/x", "2", 1),
		 -EACCES);
	/* Only the owner (or dom0) sets permissions; nobody gives nodes away. */
	set_perms(s, &d2, "/local/domain/1/data/x", "n2", -EACCES);
	set_perms(s, &d1, "/local/domain/1/data/x", "n2", -EPERM);
	set_perms(s, &d1, "/local/domain/1/data/x", "n1 r2 r3 r4 r5 r6",
		  -ENOSPC);
	/* dom0 may. */
	set_perms(s, &dom0, "/local/domain/1/data/x", "b2", 0);
	CHECK_RC(xstore_write(s, &d2, "/local/domain/1/data/x", "2", 1), 0);
	/* Created by a guest under a node it may write: the guest owns it. */
	set_perms(s, &dom0, "/local/domain/1/data", "n1 w2", 0);
	CHECK_RC(xstore_write(s, &d2, "/local/domain/1/data/from2", "", 0), 0);
	CHECK(strcmp(perms_str(s, &dom0, "/local/domain/1/data/from2"),
		     "n2,w2") == 0);
	/* Special nodes: dom0's; a guest cannot change them. */
	CHECK(strcmp(perms_str(s, &dom0, "@releaseDomain"), "n0") == 0);
	set_perms(s, &d1, "@releaseDomain", "n1", -EACCES);
	CHECK(!xstore_watch_permitted(s, 1, "@releaseDomain", NULL));
	set_perms(s, &dom0, "@releaseDomain", "n0 r1", 0);
	CHECK(xstore_watch_permitted(s, 1, "@releaseDomain", NULL));
	CHECK(!xstore_watch_permitted(s, 2, "@releaseDomain", NULL));
	/* Watch permission: the node or its parent readable. */
	CHECK(xstore_watch_permitted(s, 1, "/local/domain/1/nope", NULL) ==
	      false);
	CHECK(xstore_watch_permitted(s, 1, "/local/domain/1/data/x", NULL));
	CHECK_RC(xstore_check(s), 0);
	xstore_destroy(s);
}

static void
test_dead_domains(void)
{
	struct xstore *s = fresh();
	struct xstore_caller d3 = { 3, NULL }, d42 = { 42, NULL };
	char buf[64];

	CHECK_RC(xstore_domain_introduce(s, 42), -ENOENT);	/* no such */
	CHECK_RC(xstore_domain_introduce(s, 3), 1);
	CHECK_RC(xstore_write(s, &dom0, "/n", "", 0), 0);
	/* A permission naming a domain that does not exist is ignored. */
	set_perms(s, &dom0, "/n", "n3 r42", 0);
	CHECK_RC(read_str(s, &d42, "/n", buf, sizeof(buf)), -EACCES);
	CHECK_RC(xstore_write(s, &d3, "/n", "3", 1), 0);
	/* Domain 3 goes: its node passes to dom0... */
	CHECK_RC(xstore_domain_release(s, 3), 0);
	CHECK_RC(xstore_domain_release(s, 3), -ENOENT);
	CHECK(strcmp(perms_str(s, &dom0, "/n"), "n0,r42") == 0);
	/* ...and a new domain 3 does not inherit what the old one had. */
	CHECK_RC(xstore_domain_introduce(s, 3), 1);
	CHECK_RC(xstore_write(s, &d3, "/n", "x", 1), -EACCES);
	CHECK_RC(xstore_domain_release(s, 0), -EINVAL);
	xstore_destroy(s);
}

static void
test_transactions(void)
{
	struct xstore *s = fresh();
	struct xstore_caller t1 = { 0, NULL }, t2 = { 0, NULL };
	char buf[64];

	CHECK_RC(xstore_write(s, &dom0, "/t/a", "0", 1), 0);
	CHECK_RC(xstore_write(s, &dom0, "/t/b", "0", 1), 0);

	/* Isolation, and events only at commit. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	events[0] = '\0';
	CHECK_RC(xstore_write(s, &t1, "/t/a", "1", 1), 0);
	CHECK_RC(xstore_write(s, &t1, "/t/new/x", "n", 1), 0);
	CHECK(events[0] == '\0');
	CHECK_RC(read_str(s, &dom0, "/t/a", buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "0") == 0);
	CHECK_RC(read_str(s, &dom0, "/t/new/x", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(read_str(s, &t1, "/t/a", buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "1") == 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), 0);
	CHECK(strcmp(events, "/t/a;/t/new/x;") == 0);
	CHECK_RC(read_str(s, &dom0, "/t/new/x", buf, sizeof(buf)), 0);
	CHECK_RC(xstore_check(s), 0);

	/* Two transactions read and write the same node: the second fails. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(xstore_tx_start(s, 0, &t2.tx), 0);
	CHECK_RC(read_str(s, &t1, "/t/a", buf, sizeof(buf)), 0);
	CHECK_RC(read_str(s, &t2, "/t/a", buf, sizeof(buf)), 0);
	CHECK_RC(xstore_write(s, &t1, "/t/a", "t1", 2), 0);
	CHECK_RC(xstore_write(s, &t2, "/t/a", "t2", 2), 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), 0);
	CHECK_RC(xstore_tx_end(s, t2.tx, true), -EAGAIN);
	CHECK_RC(read_str(s, &dom0, "/t/a", buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "t1") == 0);

	/* A write outside after the tx read: conflict. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(read_str(s, &t1, "/t/b", buf, sizeof(buf)), 0);
	CHECK_RC(xstore_write(s, &dom0, "/t/b", "out", 3), 0);
	CHECK_RC(xstore_write(s, &t1, "/t/c", "in", 2), 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), -EAGAIN);
	CHECK_RC(read_str(s, &dom0, "/t/c", buf, sizeof(buf)), -ENOENT);

	/* A node read as absent and created outside: conflict too. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(read_str(s, &t1, "/t/d", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(xstore_write(s, &dom0, "/t/d", "out", 3), 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), -EAGAIN);

	/* Disjoint work commits, and abort discards. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(xstore_write(s, &t1, "/t/a", "again", 5), 0);
	CHECK_RC(xstore_write(s, &dom0, "/u", "1", 1), 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), 0);
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(xstore_rm(s, &t1, "/t"), 0);
	CHECK_RC(read_str(s, &t1, "/t/a", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(xstore_tx_end(s, t1.tx, false), 0);
	CHECK_RC(read_str(s, &dom0, "/t/a", buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "again") == 0);

	/* rm inside a transaction, committed. */
	CHECK_RC(xstore_tx_start(s, 0, &t1.tx), 0);
	CHECK_RC(xstore_rm(s, &t1, "/t"), 0);
	CHECK_RC(xstore_tx_end(s, t1.tx, true), 0);
	CHECK_RC(read_str(s, &dom0, "/t/a", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(read_str(s, &dom0, "/t", buf, sizeof(buf)), -ENOENT);
	CHECK_RC(xstore_check(s), 0);
	xstore_destroy(s);
}

static void
test_quotas(void)
{
	struct xstore *s = fresh();
	struct xstore_caller d1 = { 1, NULL };
	char name[64], big[XSTORE_QUOTA_ENTRY_SIZE];
	unsigned int i;
	int rc = 0;

	CHECK_RC(xstore_domain_introduce(s, 1), 1);
	CHECK_RC(xstore_mkdir(s, &dom0, "/q"), 0);
	set_perms(s, &dom0, "/q", "n1", 0);
	memset(big, 'x', sizeof(big));
	CHECK_RC(xstore_write(s, &d1, "/q/big", big, sizeof(big)), -ENOSPC);
	CHECK_RC(xstore_write(s, &dom0, "/q/big", big, sizeof(big)), 0);
	CHECK_RC(xstore_rm(s, &dom0, "/q/big"), 0);
	/* Nodes a domain owns: it already owns /q. */
	for (i = 0; i < XSTORE_QUOTA_ENTRIES_PER_DOMAIN + 5 && rc == 0; i++) {
		snprintf(name, sizeof(name), "/q/%u/n", i);
		rc = xstore_write(s, &d1, name, "", 0);
	}
	CHECK_RC(rc, -ENOSPC);
	CHECK(i > XSTORE_QUOTA_ENTRIES_PER_DOMAIN / 2 - 2);
	/* A refused create leaves nothing behind. */
	CHECK_RC(xstore_check(s), 0);
	snprintf(name, sizeof(name), "/q/%u", i - 1);
	{
		char buf[8];

		CHECK_RC(read_str(s, &d1, name, buf, sizeof(buf)), -ENOENT);
	}
	/* dom0 has no quota. */
	CHECK_RC(xstore_write(s, &dom0, "/q/more/n", "", 0), 0);
	xstore_destroy(s);
}

int
main(void)
{
	test_paths();
	test_basic();
	test_perms();
	test_dead_domains();
	test_transactions();
	test_quotas();
	return xs_checks_done("xs_store_test");
}
