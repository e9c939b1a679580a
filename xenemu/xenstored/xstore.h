/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xstore: the node database of xenemu's xenstored, without any I/O.
 *
 * It keeps the xenstore tree as C xenstored 4.17 does: one record per node,
 * keyed by its absolute path, holding the node's value, its permissions, the
 * NUL-separated names of its children and a generation count. Transactions
 * are overlays of the nodes they touched, checked against the generation
 * counts at commit (EAGAIN on conflict). The permission rules, the way new
 * nodes inherit their parent's permissions, the quotas and the handling of
 * permissions naming domains that no longer exist follow C xenstored.
 *
 * The daemon (xenstored.c) owns the sockets, the connections and the
 * watches; the store reports every change through the fire() callback so
 * the daemon can match it against the watches.
 *
 * All functions return 0 (or a documented non-negative value) on success and
 * a negative errno on failure; the errno values are the ones C xenstored
 * answers for the same request.
 */

#ifndef XSTORE_H
#define XSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore_lib.h>	/* struct xs_permissions, XS_PERM_* */

/* Domain ids at and above this are reserved by Xen (DOMID_FIRST_RESERVED). */
#define XSTORE_DOMID_FIRST_RESERVED 0x7FF0u
/* DOMID_SELF, accepted by XS_IS_DOMAIN_INTRODUCED. */
#define XSTORE_DOMID_SELF 0x7FF0u

/* Quotas of C xenstored 4.17 (its defaults); they bind unprivileged domains. */
#define XSTORE_QUOTA_ENTRIES_PER_DOMAIN 1000u
#define XSTORE_QUOTA_ENTRY_SIZE 2048u
#define XSTORE_QUOTA_PERMS_PER_NODE 5u
#define XSTORE_QUOTA_WATCHES_PER_DOMAIN 128u
#define XSTORE_QUOTA_TRANSACTIONS 10u

/* The special watch paths. */
#define XSTORE_RELEASE_DOMAIN "@releaseDomain"
#define XSTORE_INTRODUCE_DOMAIN "@introduceDomain"

struct xstore;
struct xstore_tx;

/* A permission set: perms[0] is the owner and the default for others. */
struct xstore_perms {
	unsigned int num;
	struct xs_permissions *p;
};

/* Who performs an operation: the caller's domain and transaction. */
struct xstore_caller {
	unsigned int domid;
	struct xstore_tx *tx;	/* NULL outside a transaction */
};

struct xstore_ops {
	/*
	 * Whether domain <domid> exists (1) or not (0), as the hypervisor
	 * would answer. Used when permissions name a domain the store does
	 * not know yet. NULL: only introduced domains and dom0 exist.
	 */
	int (*domain_exists)(void *arg, unsigned int domid);
	/*
	 * Node <name> (absolute, or a special "@..." name) changed. exact is
	 * true when only watches on exactly that path must fire (children of
	 * a removed node). perms are the permissions of the node before the
	 * change when the node went away or its permissions changed, else
	 * NULL. Called outside transactions, or at a successful commit.
	 */
	void (*fire)(void *arg, const char *name, bool exact,
		     const struct xstore_perms *perms);
};

struct xstore *xstore_create(const struct xstore_ops *ops, void *arg);
void xstore_destroy(struct xstore *s);

/*
 * Path helpers. xstore_canonicalize() turns a path as a client sent it into
 * an absolute one: a relative path is taken below /local/domain/<domid>;
 * absolute and special ("@...") paths are copied. -EINVAL if it does not fit.
 */
int xstore_canonicalize(unsigned int domid, const char *path,
			char *out, size_t outlen);
/* Whether <name> is a valid absolute node name for a caller of <domid>. */
bool xstore_valid_name(unsigned int domid, const char *name);
/* Whether <child> is <parent> or below it. */
bool xstore_is_child(const char *child, const char *parent);
/* The permission bits <perms> give domain <domid> (XS_PERM_READ/WRITE/OWNER). */
unsigned int xstore_perm_for(unsigned int domid,
			     const struct xstore_perms *perms);
/*
 * Parses <num> NUL-terminated permission strings ("r5", "n0", ...) of
 * <strings> (len bytes) into <out> (room for num). -EINVAL on a bad one.
 */
int xstore_perms_parse(const char *strings, size_t len, unsigned int num,
		       struct xs_permissions *out);
/* Formats one permission as "<n|r|w|b><domid>"; returns its length or -EINVAL. */
int xstore_perm_format(const struct xs_permissions *perm, char *buf,
		       size_t len);

/*
 * Node operations. <name> is absolute (canonicalized); the results point into
 * the store and stay valid until the next operation that changes it.
 */
int xstore_read(struct xstore *s, const struct xstore_caller *c,
		const char *name, const char **data, unsigned int *len);
int xstore_write(struct xstore *s, const struct xstore_caller *c,
		 const char *name, const void *data, unsigned int len);
int xstore_mkdir(struct xstore *s, const struct xstore_caller *c,
		 const char *name);
int xstore_rm(struct xstore *s, const struct xstore_caller *c,
	      const char *name);
/* Children names, NUL-separated (len bytes), and the node's generation. */
int xstore_directory(struct xstore *s, const struct xstore_caller *c,
		     const char *name, const char **children,
		     unsigned int *len, uint64_t *gen);
/* Permissions of a node, or of a special node ("@releaseDomain"...). */
int xstore_get_perms(struct xstore *s, const struct xstore_caller *c,
		     const char *name, struct xstore_perms *perms);
int xstore_set_perms(struct xstore *s, const struct xstore_caller *c,
		     const char *name, const struct xstore_perms *perms);

/* Transactions: a snapshot of what they read, checked at commit. */
int xstore_tx_start(struct xstore *s, unsigned int domid,
		    struct xstore_tx **tx);
/* Commits (commit true) or abandons <tx> and frees it; -EAGAIN on conflict. */
int xstore_tx_end(struct xstore *s, struct xstore_tx *tx, bool commit);

/*
 * Domains. Domain 0 is introduced when the store is created. Introduce
 * returns 1 when the domain is new, 0 when it was already introduced.
 */
int xstore_domain_introduce(struct xstore *s, unsigned int domid);
int xstore_domain_release(struct xstore *s, unsigned int domid);
bool xstore_domain_introduced(const struct xstore *s, unsigned int domid);
/* Introduced domains in ascending order: fills up to max, returns the count. */
unsigned int xstore_domain_list(const struct xstore *s, unsigned int *ids,
				unsigned int max);

/*
 * Whether a watch of domain <domid> may see a change of <name> (C xenstored's
 * rule: the node, or its old permissions <perms>, or its parent readable;
 * special names: the special node's permissions).
 */
bool xstore_watch_permitted(struct xstore *s, unsigned int domid,
			    const char *name, const struct xstore_perms *perms);

/* Number of nodes in the store (for tests and XS_CONTROL "quota"). */
size_t xstore_node_count(const struct xstore *s);
/* Checks the store's internal consistency: 0, or -EIO if it is corrupt. */
int xstore_check(struct xstore *s);

#endif /* XSTORE_H */
