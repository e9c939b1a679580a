/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core library: the state of a hypervisor-free Xen "domain" (grant
 * table, grantable pages, event-channel table) kept in shared memory files
 * under <dir>/dom/<domid>/. This is the API the `xenemu` command (the
 * toolstack's role) uses; the drop-in libxengnttab.so.1 and libxenevtchn.so.1
 * are built on the same library.
 *
 * Every function returns 0 (or the documented non-negative value) on success
 * and a negative errno on failure. None of them keeps state between calls.
 */

#ifndef XENEMU_CORE_H
#define XENEMU_CORE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults used when xenemu_domain_create() is given 0 for a limit. */
#define XENEMU_DEFAULT_MAX_GRANTS 65536u
#define XENEMU_DEFAULT_MAX_PAGES  65536u

/*
 * Create domain <domid> under <dir> (the instance's state directory; created
 * if missing). max_grants is the number of v1 grant entries of its grant
 * table, max_pages the number of 4 KiB grantable pages it may allocate with
 * xengntshr_share_pages(); 0 means the default (65536). Files are sparse.
 * Returns -EEXIST if the domain exists, -EINVAL for a bad domid (DOMID_FIRST_RESERVED
 * and above) or limits beyond what the layout supports.
 */
int xenemu_domain_create(const char *dir, uint16_t domid,
			 unsigned int max_grants, unsigned int max_pages);

/*
 * Destroy domain <domid>: revokes every grant it gave (later maps and copies
 * of them fail with GNTST_bad_domain, as on Xen once the domain is gone),
 * closes its event-channel ports (the peers' ends become unbound), and
 * removes its files. Mappings other processes already hold stay valid until
 * they unmap them, as on Xen. Returns -ENOENT if the domain does not exist.
 */
int xenemu_domain_destroy(const char *dir, uint16_t domid);

/* 1 if domain <domid> exists under <dir>, 0 if not (or a negative errno). */
int xenemu_domain_exists(const char *dir, uint16_t domid);

/*
 * What domain <domid> holds right now, as counted from its state file without
 * changing it (the soak test compares these before and after kill/restart
 * cycles to find leaked grants and ports). A snapshot: in-flight grant copies
 * pin a grant for a moment, so "pins" may be briefly higher under traffic.
 */
struct xenemu_domain_stat {
	unsigned int grants;	/* grant refs allocated (shared), reserved 0..7 not counted */
	unsigned int pages;	/* grantable pages allocated */
	unsigned int pins;	/* maps and in-flight copies of its grants by anyone */
	unsigned int revoking;	/* grants ended by the granter but still pinned */
	unsigned int ports;	/* event-channel ports unbound or interdomain */
	unsigned int handles;	/* open handles (gnttab, gntshr, evtchn, tool) */
	unsigned int dead_handles; /* of those, owned by a process that died and
				    * not reclaimed yet */
};

/* Fill *st for domain <domid> under <dir>; -ENOENT if it does not exist. */
int xenemu_domain_stat(const char *dir, uint16_t domid,
		       struct xenemu_domain_stat *st);

/* The state directory of this process: $XENEMU_DIR, or /run/xenemu. */
const char *xenemu_state_dir(void);

#ifdef __cplusplus
}
#endif

#endif /* XENEMU_CORE_H */
