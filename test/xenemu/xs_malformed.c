/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile xenstore client: feeds xenemu's xenstored malformed and
 * oversized messages on the raw wire protocol (xen/io/xs_wire.h) and checks
 * that each gets the error reply C xenstored gives (or, where the stream can
 * no longer be framed, a disconnect), that quotas hold, and that the daemon
 * still serves a well-behaved client afterwards.
 *
 * Usage: xs_malformed DOM0_SOCKET DOM1_SOCKET
 * (domain 1 must exist; xs_malformed.sh sets that up.)
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xs_check.h"

#define TIMEOUT_MS 5000

static const char *sock0, *sock1;

struct reply {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

static int
connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
		perror("socket");
		exit(1);
	}
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void
send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;		/* the daemon closed: the caller checks */
		}
		p += n;
		len -= n;
	}
}

static void
send_msg(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id,
	 const void *payload, uint32_t len)
{
	struct xsd_sockmsg h = { type, req_id, tx_id, len };

	send_all(fd, &h, sizeof(h));
	if (len > 0)
		send_all(fd, payload, len);
}

/* Reads len bytes; 1 on success, 0 on EOF, -1 on timeout or error. */
static int
recv_all(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		if (poll(&pfd, 1, TIMEOUT_MS) != 1)
			return -1;
		n = recv(fd, p, len, 0);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECONNRESET ? 0 : -1;
		}
		p += n;
		len -= n;
	}
	return 1;
}

/* Next message that is not a watch event (events are skipped). */
static int
get_reply(int fd, struct reply *r)
{
	int rc;

	do {
		rc = recv_all(fd, &r->hdr, sizeof(r->hdr));
		if (rc != 1)
			return rc;
		if (r->hdr.len > XENSTORE_PAYLOAD_MAX)
			return -1;
		rc = recv_all(fd, r->body, r->hdr.len);
		if (rc != 1)
			return rc;
		r->body[r->hdr.len] = '\0';
	} while (r->hdr.type == XS_WATCH_EVENT);
	return 1;
}

/* Sends a request and checks the reply is the error <err> ("EINVAL"...). */
static void
expect_error(int fd, uint32_t type, uint32_t tx_id, const void *payload,
	     uint32_t len, const char *err, int line)
{
	struct reply r;

	send_msg(fd, type, 0x5eed, tx_id, payload, len);
	if (get_reply(fd, &r) != 1) {
		fprintf(stderr, "line %d: no reply to type %u\n", line, type);
		failures++;
		return;
	}
	if (r.hdr.type != XS_ERROR || strcmp(r.body, err) != 0 ||
	    r.hdr.req_id != 0x5eed) {
		fprintf(stderr, "line %d: type %u: got type %u '%s' req %x, "
			"want XS_ERROR '%s'\n", line, type, r.hdr.type,
			r.hdr.type == XS_ERROR ? r.body : "", r.hdr.req_id,
			err);
		failures++;
	}
}

#define EXPECT_ERROR(fd, type, tx, p, l, e) \
	expect_error(fd, type, tx, p, l, e, __LINE__)

/* Sends a request and returns its reply, which must be of type <type>. */
static void
expect_ok(int fd, uint32_t type, uint32_t tx_id, const void *payload,
	  uint32_t len, struct reply *r, int line)
{
	send_msg(fd, type, 7, tx_id, payload, len);
	if (get_reply(fd, r) != 1 || r->hdr.type != type) {
		fprintf(stderr, "line %d: type %u: got type %u '%s'\n", line,
			type, r->hdr.type,
			r->hdr.type == XS_ERROR ? r->body : "");
		failures++;
	}
}

#define EXPECT_OK(fd, type, tx, p, l, r) \
	expect_ok(fd, type, tx, p, l, r, __LINE__)

/* Whether the daemon closed <fd> (EOF within the timeout). */
static bool
closed_by_daemon(int fd)
{
	struct reply r;
	int rc;

	while ((rc = get_reply(fd, &r)) == 1)
		;
	return rc == 0;
}

static void
test_bad_requests(void)
{
	int fd = connect_to(sock0);
	char longpath[XENSTORE_ABS_PATH_MAX + 10];
	struct reply r;

	/* Types that do not exist, or are replies. */
	EXPECT_ERROR(fd, 999, 0, "x", 2, "ENOSYS");
	EXPECT_ERROR(fd, XS_TYPE_COUNT, 0, "", 0, "ENOSYS");
	EXPECT_ERROR(fd, XS_WATCH_EVENT, 0, "a\0b", 4, "ENOSYS");
	EXPECT_ERROR(fd, XS_ERROR, 0, "EINVAL", 7, "ENOSYS");
	EXPECT_ERROR(fd, XS_INVALID, 0, "", 0, "ENOSYS");
	/* Paths: empty, without their NUL, two strings, bad names. */
	EXPECT_ERROR(fd, XS_READ, 0, "", 0, "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/tool", 5, "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/tool\0/x", 9, "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/a b", 5, "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/a//b", 6, "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/a/", 4, "EINVAL");
	EXPECT_ERROR(fd, XS_WRITE, 0, "/no-nul", 7, "EINVAL");
	EXPECT_ERROR(fd, XS_MKDIR, 0, "\xff\xfe", 3, "EINVAL");
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	EXPECT_ERROR(fd, XS_WRITE, 0, longpath, sizeof(longpath), "EINVAL");
	EXPECT_ERROR(fd, XS_READ, 0, "/nope", 6, "ENOENT");
	/* Arguments of the other requests. */
	EXPECT_ERROR(fd, XS_SET_PERMS, 0, "/tool\0", 6, "EINVAL");
	EXPECT_ERROR(fd, XS_SET_PERMS, 0, "/tool\0q0", 9, "EINVAL");
	EXPECT_ERROR(fd, XS_SET_PERMS, 0, "/tool\0r", 8, "EINVAL");
	EXPECT_ERROR(fd, XS_SET_PERMS, 0, "/tool\0r99999", 13, "EINVAL");
	EXPECT_ERROR(fd, XS_WATCH, 0, "/tool", 6, "EINVAL");
	EXPECT_ERROR(fd, XS_WATCH, 0, "bad path\0tok", 13, "EINVAL");
	EXPECT_ERROR(fd, XS_UNWATCH, 0, "/tool\0never", 12, "ENOENT");
	EXPECT_ERROR(fd, XS_DIRECTORY_PART, 0, "/tool", 6, "EINVAL");
	EXPECT_ERROR(fd, XS_DIRECTORY_PART, 0, "/tool\0x", 8, "EINVAL");
	EXPECT_ERROR(fd, XS_GET_DOMAIN_PATH, 0, "abc", 4, "EINVAL");
	EXPECT_ERROR(fd, XS_INTRODUCE, 0, "5\0", 3, "EINVAL");
	EXPECT_ERROR(fd, XS_INTRODUCE, 0, "0\0" "0\0" "0", 6, "EINVAL");
	EXPECT_ERROR(fd, XS_INTRODUCE, 0, "77\0" "0\0" "0", 7, "ENOENT");
	EXPECT_ERROR(fd, XS_RELEASE, 0, "0", 2, "EINVAL");
	EXPECT_ERROR(fd, XS_RELEASE, 0, "77", 3, "ENOENT");
	EXPECT_ERROR(fd, XS_CONTROL, 0, "no-such-command", 16, "EINVAL");
	/* Transactions: unknown ids, bad arguments, nesting. */
	EXPECT_ERROR(fd, XS_READ, 12345, "/tool", 6, "ENOENT");
	EXPECT_ERROR(fd, XS_TRANSACTION_END, 0, "T", 2, "ENOENT");
	EXPECT_OK(fd, XS_TRANSACTION_START, 0, "", 1, &r);
	{
		uint32_t id = strtoul(r.body, NULL, 10);

		CHECK(id != 0);
		EXPECT_ERROR(fd, XS_TRANSACTION_START, id, "", 1, "EBUSY");
		EXPECT_ERROR(fd, XS_TRANSACTION_END, id, "X", 2, "EINVAL");
		/* The reply echoes req_id and tx_id. */
		send_msg(fd, XS_READ, 0xabcd, id, "/tool", 6);
		CHECK(get_reply(fd, &r) == 1 && r.hdr.type == XS_READ &&
		      r.hdr.req_id == 0xabcd && r.hdr.tx_id == id);
		EXPECT_OK(fd, XS_TRANSACTION_END, id, "F", 2, &r);
		EXPECT_ERROR(fd, XS_READ, id, "/tool", 6, "ENOENT");
	}
	/* Still serving this very connection. */
	EXPECT_OK(fd, XS_READ, 0, "/local/domain/0/name", 21, &r);
	CHECK(strcmp(r.body, "Domain-0") == 0);
	close(fd);
}

static void
test_guest_limits(void)
{
	int fd = connect_to(sock1);
	char tok[32], path[64];
	struct reply r;
	unsigned int i;
	int n;

	/* dom0's requests are refused to a guest. */
	EXPECT_ERROR(fd, XS_INTRODUCE, 0, "5\0" "0\0" "0", 6, "EACCES");
	EXPECT_ERROR(fd, XS_RELEASE, 0, "1", 2, "EACCES");
	EXPECT_ERROR(fd, XS_CONTROL, 0, "check", 6, "EACCES");
	EXPECT_ERROR(fd, XS_WRITE, 0, "/tool/x\0v", 9, "EACCES");
	/* Relative paths are below the domain's home. */
	EXPECT_OK(fd, XS_GET_DOMAIN_PATH, 0, "1", 2, &r);
	CHECK(strcmp(r.body, "/local/domain/1") == 0);
	EXPECT_OK(fd, XS_READ, 0, "domid", 6, &r);
	CHECK(strcmp(r.body, "1") == 0);
	/* Transactions: at most ten per connection. */
	for (i = 0; i < 10; i++)
		EXPECT_OK(fd, XS_TRANSACTION_START, 0, "", 1, &r);
	EXPECT_ERROR(fd, XS_TRANSACTION_START, 0, "", 1, "ENOSPC");
	/* Watches: at most 128 per domain; duplicates refused. */
	EXPECT_OK(fd, XS_WATCH, 0, "data\0t0", 8, &r);
	EXPECT_ERROR(fd, XS_WATCH, 0, "data\0t0", 8, "EEXIST");
	for (i = 1; i < 128; i++) {
		n = snprintf(tok, sizeof(tok), "data%ct%u", 0, i) + 1;
		EXPECT_OK(fd, XS_WATCH, 0, tok, n, &r);
	}
	EXPECT_ERROR(fd, XS_WATCH, 0, "data\0t999", 10, "E2BIG");
	/* RESET_WATCHES drops them, and the transactions. */
	EXPECT_OK(fd, XS_RESET_WATCHES, 0, "", 0, &r);
	EXPECT_OK(fd, XS_WATCH, 0, "data\0t999", 10, &r);
	EXPECT_OK(fd, XS_TRANSACTION_START, 0, "", 1, &r);
	/* Permissions per node: five for a guest. */
	n = snprintf(path, sizeof(path), "data/p%c", 0) + 1;
	EXPECT_OK(fd, XS_WRITE, 0, path, n, &r);
	memcpy(path + n, "n1\0r2\0r3\0r4\0r5\0r6", 18);
	EXPECT_ERROR(fd, XS_SET_PERMS, 0, path, n + 18, "ENOSPC");
	close(fd);
}

static void
test_big_directory(void)
{
	int fd = connect_to(sock0);
	char path[64], all[16384];
	struct reply r;
	unsigned int i, off = 0, alllen = 0, want = 0;
	int n;

	/* More than a payload of children names. */
	for (i = 0; i < 300; i++) {
		n = snprintf(path, sizeof(path),
			     "/big/child-with-a-long-name-%04u", i) + 1;
		EXPECT_OK(fd, XS_MKDIR, 0, path, n, &r);
		want += n - (int)strlen("/big/");
	}
	EXPECT_ERROR(fd, XS_DIRECTORY, 0, "/big", 5, "E2BIG");
	/* DIRECTORY_PART: generation, names, an empty name at the end. */
	for (;;) {
		n = snprintf(path, sizeof(path), "/big%c%u", 0, off) + 1;
		EXPECT_OK(fd, XS_DIRECTORY_PART, 0, path, n, &r);
		if (r.hdr.type != XS_DIRECTORY_PART || r.hdr.len < 2)
			break;
		n = strlen(r.body) + 1;		/* the generation */
		memcpy(all + alllen, r.body + n, r.hdr.len - n);
		alllen += r.hdr.len - n;
		off += r.hdr.len - n;
		if (r.body[r.hdr.len - 2] == '\0')
			break;
		if (alllen > sizeof(all) - XENSTORE_PAYLOAD_MAX)
			break;
	}
	/* All names, then the terminating empty one. */
	CHECK(alllen == want + 1);
	CHECK(memcmp(all, "child-with-a-long-name-0000", 28) == 0);
	EXPECT_OK(fd, XS_RM, 0, "/big", 5, &r);
	close(fd);
}

static void
test_framing(void)
{
	struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	unsigned char junk[256];
	struct reply r;
	unsigned int i;
	int fd;

	/* An announced payload over the maximum: E2BIG, then the door. */
	fd = connect_to(sock0);
	send_all(fd, &h, sizeof(h));
	CHECK(get_reply(fd, &r) == 1 && r.hdr.type == XS_ERROR &&
	      strcmp(r.body, "E2BIG") == 0);
	CHECK(closed_by_daemon(fd));
	close(fd);

	/* 0xffffffff as length. */
	fd = connect_to(sock1);
	h.len = 0xffffffffu;
	send_all(fd, &h, sizeof(h));
	CHECK(closed_by_daemon(fd));
	close(fd);

	/* Random bytes: whatever they frame as, the daemon copes. */
	srand(42);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = rand();
	fd = connect_to(sock0);
	send_all(fd, junk, sizeof(junk));
	close(fd);

	/* Half a header, then gone; half a payload, then gone. */
	fd = connect_to(sock0);
	send_all(fd, &h, 7);
	close(fd);
	fd = connect_to(sock0);
	h.len = 100;
	send_all(fd, &h, sizeof(h));
	send_all(fd, "/tool", 5);
	close(fd);
}

/* A client that sends and never reads is dropped; nobody else is hurt. */
static void
test_no_reader(void)
{
	char value[3000], req[64];
	struct reply r;
	unsigned int i;
	int fd, n;

	fd = connect_to(sock0);
	memset(value, 'v', sizeof(value));
	n = snprintf(req, sizeof(req), "/flood%c", 0) + 1;
	{
		char msg[sizeof(req) + sizeof(value)];

		memcpy(msg, req, n);
		memcpy(msg + n, value, sizeof(value));
		EXPECT_OK(fd, XS_WRITE, 0, msg, n + sizeof(value), &r);
	}
	/* ~2 MiB of replies asked for, none read. */
	for (i = 0; i < 700; i++)
		send_msg(fd, XS_READ, i, 0, "/flood", 7);
	{
		int other = connect_to(sock0);

		EXPECT_OK(other, XS_READ, 0, "/tool", 6, &r);
		close(other);
	}
	CHECK(closed_by_daemon(fd));
	close(fd);
}

int
main(int argc, char **argv)
{
	struct reply r;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: xs_malformed DOM0_SOCKET DOM1_SOCKET\n");
		return 2;
	}
	sock0 = argv[1];
	sock1 = argv[2];
	test_bad_requests();
	test_guest_limits();
	test_big_directory();
	test_framing();
	test_no_reader();

	/* After all that: a well-behaved client is served. */
	fd = connect_to(sock0);
	EXPECT_OK(fd, XS_WRITE, 0, "/after\0fine", 11, &r);
	EXPECT_OK(fd, XS_READ, 0, "/after", 7, &r);
	CHECK(strcmp(r.body, "fine") == 0);
	EXPECT_OK(fd, XS_CONTROL, 0, "check", 6, &r);
	close(fd);

	return xs_checks_done("xs_malformed");
}
