/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core, the bottom layer (domain.c): a domain's shared files mapped
 * into this process (struct xenemu_dom), the domain mutex, and handles
 * (struct xenemu_ctx): the slot a handle holds in its domain, the views of
 * other domains it keeps, and reclaiming the slots of dead processes.
 *
 * This layer knows nothing of grants or event channels. The layers above it
 * (evtchn.c, gnttab.c) take part in a handle's and a domain's life through
 * close hooks they register (struct xenemu_close_hooks below).
 *
 * The emulation in one paragraph: each domain is a set of shared files
 * (xenemu_shm.h). A process's handle maps its own domain's files and,
 * lazily, those of every domain it maps grants of, copies from or sends
 * events to, and keeps those mappings for its lifetime, so the data path
 * (grant copy, event delivery) runs on plain memory accesses and atomics.
 *
 * All functions returning int return 0 (or a non-negative result) or a
 * negative errno.
 */

#ifndef XENEMU_DOMAIN_H
#define XENEMU_DOMAIN_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/xen.h>

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

struct xenemu_mapping;                  /* gnttab.c */
struct xenemu_fifo;                     /* evtchn.c */

/*
 * One handle of this process: xengnttab, xengntshr or xenevtchn. Holds a
 * slot of its domain for its lifetime.
 */
struct xenemu_ctx {
	/* --- the domain layer's (domain.c) --- */
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
	/* --- grant maps (gnttab) or shares (gntshr): gnttab.c's, under mu.
	 * They live here rather than behind a pointer so the data path
	 * reaches them without one more load. --- */
	pthread_mutex_t mu;
	struct xenemu_mapping *mappings;
	struct xenemu_maprec *recs;     /* maps-<slot>, created on first map */
	uint32_t rec_next;              /* records never used start here */
	uint32_t *rec_free;             /* freed record indexes */
	uint32_t nr_rec_free;
	uint32_t cap_rec_free;
	/* --- event channels: evtchn.c's --- */
	int fifo_fd;                    /* read end of our FIFO (xenevtchn_fd) */
	uint32_t restrict_dom;          /* XENEMU_UNRESTRICTED or a domid */
	pthread_mutex_t fifo_mu;        /* notifier FIFO cache */
	struct xenemu_fifo *fifos;
	unsigned int nr_fifos;
};

/* --- domains --------------------------------------------------------------- */

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

/* --- handles --------------------------------------------------------------- */

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

/* --- close hooks ------------------------------------------------------------ */

/*
 * What a layer above the domain does when a handle opens or closes, when a
 * dead process's slot is reclaimed and when a domain is destroyed. Each
 * layer registers one table, from a constructor, so that linking the layer
 * in is all it takes (the core library is linked whole for this reason).
 *
 * The domain layer calls every registered table: in ascending <level> when
 * a handle is set up and opened, in descending <level> for everything that
 * tears down, so a layer always finds the layers below it still working
 * (grant unmaps send their notifications over event channels). A hook
 * that has nothing to do for a handle's kind returns at once; any hook may
 * be NULL.
 */
struct xenemu_close_hooks {
	const char *name;
	unsigned int level;             /* 1 sits on the domain; a higher
					 * level may use the lower ones */
	/* A handle is being set up, before anything can fail: give the
	 * layer's fields of <c> their empty values. */
	void (*ctx_init)(struct xenemu_ctx *c);
	/* The handle holds its slot: take what a handle of its kind needs. */
	int (*ctx_open)(struct xenemu_ctx *c);
	/* The handle closes (its open got as far as mapping its domain).
	 * <owner> is false in a child that inherited it over fork(): drop
	 * only this process's copies, the rest is the parent's. */
	void (*ctx_close)(struct xenemu_ctx *c, bool owner);
	/* Last, for every handle: free the layer's process-local memory. */
	void (*ctx_fini)(struct xenemu_ctx *c);
	/* Slot <slot> (of <kind>) of <d> belonged to a dead process: release
	 * what it held. */
	void (*slot_reclaim)(struct xenemu_ctx *c, struct xenemu_dom *d,
			     uint32_t slot, uint32_t kind);
	/* <d> is being destroyed (already marked dead); <c> is the
	 * toolstack's handle in it. */
	void (*domain_destroy)(struct xenemu_ctx *c, struct xenemu_dom *d);
};

/* Add <h> (static storage) to the tables called; aborts beyond a few. */
void xenemu_close_hooks_register(const struct xenemu_close_hooks *h);

/*
 * Defines layer <layer>'s table, in the order of the structure's members
 * (NULL for a hook it does not need), and registers it when the program
 * or library is loaded.
 */
#define XENEMU_CLOSE_HOOKS(layer, lvl, init, open, close, fini, reclaim,  \
			   destroy)                                        \
	static const struct xenemu_close_hooks layer##_close_hooks = {     \
		.name = #layer, .level = (lvl), .ctx_init = (init),        \
		.ctx_open = (open), .ctx_close = (close),                  \
		.ctx_fini = (fini), .slot_reclaim = (reclaim),             \
		.domain_destroy = (destroy),                               \
	};                                                                 \
	static void __attribute__((constructor))                           \
	layer##_close_hooks_init(void)                                     \
	{                                                                  \
		xenemu_close_hooks_register(&layer##_close_hooks);         \
	}

#endif /* XENEMU_DOMAIN_H */
