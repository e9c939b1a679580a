/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core library, internal API: what the drop-in libxengnttab.so.1 and
 * libxenevtchn.so.1 (xenemu/lib/) and the unit tests build on. Not installed.
 *
 * The emulation in one paragraph: each domain is a set of shared files
 * (xenemu_shm.h). A process's handle (struct xenemu_ctx) maps its own
 * domain's files and, lazily, those of every domain it maps grants of,
 * copies from or sends events to, and keeps those mappings for its lifetime,
 * so the data path (grant copy, event delivery) runs on plain memory
 * accesses and atomics. Every check Xen makes on a grant or a port is made
 * here on the shared state, and failures carry Xen's codes.
 *
 * All functions returning int return 0 (or a non-negative result) or a
 * negative errno.
 */

#ifndef XENEMU_INTERNAL_H
#define XENEMU_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xengnttab.h>

#include "xenemu_core.h"
#include "xenemu_shm.h"

#define XENEMU_LIKELY(x)        __builtin_expect(!!(x), 1)
#define XENEMU_UNLIKELY(x)      __builtin_expect(!!(x), 0)

/* Process-local view of one domain: its files, mapped. */
struct xenemu_dom {
	struct xenemu_shm *shm;         /* state file, shared */
	size_t shm_size;
	uint64_t *gnttab;               /* guest-visible grant table, shared:
					 * struct grant_entry_v1 as one word
					 * each, read and written atomically */
	size_t gnttab_size;
	uint8_t *pages;                 /* every grantable page, shared */
	size_t pages_size;
	int state_fd;                   /* own open of the state file: the OFD
					 * slot locks are taken through it */
	int page_fd;                    /* for per-page mmap of grants */
	uint16_t domid;
	uint64_t instance;
	/* Limits and array addresses, read once at open and validated against
	 * the file size, so a later write to the header cannot move them. */
	uint32_t max_grants;
	uint32_t max_pages;
	uint32_t nr_ports;
	uint32_t nr_slots;
	struct xenemu_slot *slots;
	struct xenemu_page *page_meta;
	uint64_t *page_map;
	uint64_t *ref_map;
	uint32_t *active;
	struct xenemu_port *ports;
	struct xenemu_dom *next;        /* ctx's list of retired views */
	char path[PATH_MAX];            /* <dir>/dom/<domid> */
};

/* An open FIFO of some domain's event-channel handle (notifier's cache). */
struct xenemu_fifo {
	uint16_t domid;
	uint16_t slot;
	uint32_t gen;                   /* the slot's gen when opened */
	uint64_t instance;
	int fd;
};

struct xenemu_mapping;

/*
 * One handle of this process: xengnttab, xengntshr or xenevtchn. Holds a
 * slot of its domain for its lifetime.
 */
struct xenemu_ctx {
	char dir[PATH_MAX];             /* the instance's state directory */
	struct xenemu_dom *self;        /* the caller's domain */
	int slot;                       /* our slot in self, -1 if none */
	pid_t pid;                      /* the process that opened it: in a
					 * forked child, close only frees
					 * this process's resources */
	enum xenemu_slot_kind kind;
	bool cloexec;
	/* Views of domains by domid (self included), filled on first use.
	 * Readers load entries lock-free; dom_mu serialises filling them. */
	struct xenemu_dom **doms;
	struct xenemu_dom *retired;     /* views of destroyed domains: kept
					 * mapped until close, copies may
					 * still use them */
	pthread_mutex_t dom_mu;
	/* Grant maps (gnttab) or shares (gntshr) of this handle, under mu. */
	pthread_mutex_t mu;
	struct xenemu_mapping *mappings;
	struct xenemu_maprec *recs;     /* maps-<slot>, created on first map */
	uint32_t rec_next;              /* records never used start here */
	uint32_t *rec_free;             /* freed record indexes */
	uint32_t nr_rec_free;
	uint32_t cap_rec_free;
	/* Event channels. */
	int fifo_fd;                    /* read end of our FIFO (xenevtchn_fd) */
	uint32_t restrict_dom;          /* XENEMU_UNRESTRICTED or a domid */
	pthread_mutex_t fifo_mu;        /* notifier FIFO cache */
	struct xenemu_fifo *fifos;
	unsigned int nr_fifos;
};

#define XENEMU_UNRESTRICTED     0xffffffffu

/* --- domain.c ------------------------------------------------------------ */

/* Build "<dir>/dom/<domid>[/<leaf>]"; -ENAMETOOLONG if it does not fit. */
int xenemu_dom_path(char *buf, size_t len, const char *dir, uint32_t domid,
		    const char *leaf);

/* Map domain <domid> of <dir>. -ENOENT if it does not exist or is dying. */
int xenemu_dom_open(const char *dir, uint32_t domid, struct xenemu_dom **out);
void xenemu_dom_close(struct xenemu_dom *d);

static inline bool
xenemu_dom_dead(const struct xenemu_dom *d)
{
	return __atomic_load_n(&d->shm->dead, __ATOMIC_ACQUIRE) != 0;
}

/* The domain mutex; and both mutexes of two domains, lower domid first. */
int xenemu_dom_lock(struct xenemu_dom *d);
void xenemu_dom_unlock(struct xenemu_dom *d);
int xenemu_dom_lock2(struct xenemu_dom *a, struct xenemu_dom *b);
void xenemu_dom_unlock2(struct xenemu_dom *a, struct xenemu_dom *b);

/*
 * Open a handle of <kind> in the caller's domain: $XENEMU_DOMID (default 0)
 * in $XENEMU_DIR (default /run/xenemu). Reclaims what dead handles of the
 * domain left behind, then claims a slot. -ENOENT if the domain does not
 * exist, -EINVAL for a malformed XENEMU_DOMID, -EMFILE without a free slot.
 */
int xenemu_ctx_open(struct xenemu_ctx *c, enum xenemu_slot_kind kind,
		    bool cloexec);
/* Same, for domain <domid> of <dir> (the toolstack and tests). */
int xenemu_ctx_open_dom(struct xenemu_ctx *c, const char *dir, uint32_t domid,
			enum xenemu_slot_kind kind, bool cloexec);
/*
 * Undo everything the handle holds (unmap, unshare, unbind), free it. In a
 * child that inherited the handle over fork(), only the child's own
 * mappings and fds are released, as closing an inherited /dev/xen fd does.
 */
void xenemu_ctx_close(struct xenemu_ctx *c);

struct xenemu_dom *xenemu_ctx_dom_slow(struct xenemu_ctx *c, uint32_t domid);

/*
 * The view of domain <domid> (a real domid, not DOMID_SELF), or NULL if it
 * does not exist (or has been destroyed). Lock-free when already mapped.
 */
static inline struct xenemu_dom *
xenemu_ctx_dom(struct xenemu_ctx *c, uint32_t domid)
{
	struct xenemu_dom *d;

	if (XENEMU_UNLIKELY(domid >= DOMID_FIRST_RESERVED))
		return NULL;
	d = __atomic_load_n(&c->doms[domid], __ATOMIC_ACQUIRE);
	if (XENEMU_LIKELY(d != NULL && !xenemu_dom_dead(d)))
		return d;
	return xenemu_ctx_dom_slow(c, domid);
}

/* Reclaim the slots of dead handles of the caller's domain. */
void xenemu_ctx_sweep(struct xenemu_ctx *c);

/* --- gnttab.c: grants ----------------------------------------------------- */

/*
 * Pin grant <ref> of domain <d> for domain <caller>, for reading or writing,
 * as Xen's acquire does. GNTST_okay and the page index in *frame, or the
 * GNTST_* code Xen gives.
 */
int16_t xenemu_gnt_pin(struct xenemu_dom *d, uint16_t caller, uint32_t ref,
		       bool write, uint32_t *frame);
/* Drop a pin; the last pin of a grant whose access ended retires it. */
void xenemu_gnt_unpin(struct xenemu_dom *d, uint32_t ref);
/* The granter ends access to <ref>: retired now, or by the last unpin. */
void xenemu_gnt_end_access(struct xenemu_dom *d, uint32_t ref);

/* xengnttab_grant_copy: 0, or -EINVAL for a segment gntdev would refuse. */
int xenemu_gnt_copy(struct xenemu_ctx *c, uint32_t count,
		    xengnttab_grant_copy_segment_t *segs);

/*
 * Map <count> grants into one contiguous range (xengnttab_map_grant_refs
 * when <domids> is given, else all of <domid>). notify_offset/notify_port
 * are those of xengnttab_map_grant_ref_notify (-1 for none). On success
 * *addr is the mapping. -EINVAL if any grant cannot be mapped, as gntdev.
 */
int xenemu_gnt_map(struct xenemu_ctx *c, uint32_t count,
		   const uint32_t *domids, uint32_t domid,
		   const uint32_t *refs, int prot, uint32_t notify_offset,
		   uint32_t notify_port, void **addr);
/* xengnttab_unmap: <addr>, <count> must be exactly one mapping. */
int xenemu_gnt_unmap(struct xenemu_ctx *c, void *addr, uint32_t count);

/*
 * Share <count> newly allocated pages of the caller's domain with <domid>
 * (xengntshr_share_pages / _share_page_notify). Fills refs[]; *addr is one
 * contiguous writable mapping of the pages.
 */
int xenemu_shr_share(struct xenemu_ctx *c, uint32_t domid, uint32_t count,
		     uint32_t *refs, bool writable, uint32_t notify_offset,
		     uint32_t notify_port, void **addr);
/* xengntshr_unshare: any page range inside one share of this handle. */
int xenemu_shr_unshare(struct xenemu_ctx *c, void *addr, uint32_t count);

/* Undo every map (gnttab) or share (gntshr) of a handle being closed. */
void xenemu_gnt_close_ctx(struct xenemu_ctx *c);
/* Forget a handle's maps/shares in a forked child: unmap, free, no more. */
void xenemu_gnt_forget_ctx(struct xenemu_ctx *c);
/* Release what a dead handle's slot held (maps or shares). */
void xenemu_gnt_reclaim_slot(struct xenemu_ctx *c, struct xenemu_dom *d,
			     uint32_t slot, uint32_t kind);
/* Release every map record of domain <d> (domain destruction). */
void xenemu_gnt_release_domain_maps(struct xenemu_ctx *c, struct xenemu_dom *d);

/* --- evtchn.c: event channels ---------------------------------------------- */

int xenemu_evt_open_ctx(struct xenemu_ctx *c);
void xenemu_evt_close_ctx(struct xenemu_ctx *c);

int xenemu_evt_bind_unbound(struct xenemu_ctx *c, uint32_t remote_dom);
int xenemu_evt_bind_interdomain(struct xenemu_ctx *c, uint32_t remote_dom,
				uint32_t remote_port);
int xenemu_evt_unbind(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_notify(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_unmask(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_pending(struct xenemu_ctx *c);
int xenemu_evt_restrict(struct xenemu_ctx *c, uint32_t domid);

/* EVTCHNOP_send on <port> of domain <d>, whoever bound it (unmap notify). */
int xenemu_evt_send(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t port);
/* Whether <port> of <d> is bound (unbound or interdomain). */
bool xenemu_evt_port_bound(struct xenemu_dom *d, uint32_t port);
/* Close <port> of <d> if bound by <owner> (-1: any). -ENOTCONN if not. */
int xenemu_evt_close_port(struct xenemu_ctx *c, struct xenemu_dom *d,
			  uint32_t port, int owner);
/* Close every port a (dead) slot bound, remove its FIFO. */
void xenemu_evt_reclaim_slot(struct xenemu_ctx *c, struct xenemu_dom *d,
			     uint32_t slot);

#endif /* XENEMU_INTERNAL_H */
