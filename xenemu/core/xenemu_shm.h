/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu shared-memory layout: what one emulated domain looks like on disk.
 *
 * A domain <N> of an instance whose state directory is <dir> is the directory
 * <dir>/dom/<N>/ with these files, all created by xenemu_domain_create() and
 * mapped MAP_SHARED by every process that uses the domain (its own processes
 * and the processes of the domains that map its grants or bind its ports):
 *
 *   state        struct xenemu_shm, then the arrays it gives offsets for:
 *                handle slots, page bookkeeping, page and grant-ref allocation
 *                bitmaps, the active-grant table and the event-channel table.
 *                This is the hypervisor's private state for the domain.
 *   gnttab       the guest-visible grant table: max_grants struct
 *                grant_entry_v1 (xen/grant_table.h), as a guest's shared
 *                grant-table frames are on Xen. Only the granting domain's
 *                library writes it; every other domain only reads it.
 *   pages        the domain's grantable memory: max_pages 4 KiB pages. A
 *                grant's frame is a page index in this file ("gfn"). Mapping
 *                a grant is mmap() of one page of this file.
 *   evtchn-<S>   a FIFO per open event-channel handle (slot S): the port
 *                numbers delivered to that handle, 4 bytes each. Its read end
 *                is the handle's pollable fd.
 *   maps-<S>     per open grant-mapping handle (slot S) that has mapped
 *                something: one struct xenemu_maprec per mapped page, so that
 *                the pins of a process that died can be released.
 *
 * All files are sparse; a domain with the default 65536 grants and pages
 * costs a few pages of real memory until it is used.
 *
 * Concurrency. Every process of every domain works on these files at the
 * same time, without a hypervisor to serialise it:
 *  - Slow-path changes of one domain (allocating pages, grant refs, ports,
 *    handle slots) take that domain's robust process-shared mutex
 *    (xenemu_shm.lock). Event-channel binding and closing touch two domains
 *    and take both mutexes, the lower domid first.
 *  - The data path takes no lock of another domain: grant map and copy pin a
 *    grant with one atomic add on its active word, event delivery is one
 *    compare-and-swap on the port word. Freeing a page and a grant ref can
 *    happen from any process (whoever drops the last pin of a revoked grant),
 *    so the allocation bitmaps are cleared with atomic and-not and set only
 *    under the domain mutex.
 *  - A handle owns a slot while its process holds an OFD lock
 *    (F_OFD_SETLK) on byte <slot> of the state file. The kernel drops that
 *    lock when the process dies, so any other process can tell a live slot
 *    from the slot of a crashed process and reclaim what it held, as Linux
 *    does when it closes a dead process's gntdev/gntalloc/evtchn files.
 *
 * This layout is private to the core library (doc/design/xenemu-contract.md);
 * XENEMU_LAYOUT_VERSION changes whenever it does.
 */

#ifndef XENEMU_SHM_H
#define XENEMU_SHM_H

#include <pthread.h>
#include <stdint.h>

#define XENEMU_MAGIC            0x314d45584e4558ull /* "XENXEM1", little-endian */
#define XENEMU_LAYOUT_VERSION   1u

#define XENEMU_PAGE_SHIFT       12
#define XENEMU_PAGE_SIZE        (1u << XENEMU_PAGE_SHIFT)

/* Upper bounds of the per-domain limits given to xenemu_domain_create(). */
#define XENEMU_MAX_GRANTS_LIMIT (1u << 24)
#define XENEMU_MAX_PAGES_LIMIT  (1u << 24)
/* Grant refs 0..7 are reserved as on Xen (GNTTAB_NR_RESERVED_ENTRIES). */
#define XENEMU_MIN_GRANTS       16u

/*
 * Event-channel ports per domain: the 2-level ABI's limit for a 64-bit guest
 * (64 x 64). Port 0 is reserved, as on Xen.
 */
#define XENEMU_NR_PORTS         4096u

/* Open handles (gnttab, gntshr, evtchn) per domain at one time. */
#define XENEMU_NR_SLOTS         1024u

/* Map records per grant-mapping handle (pages mapped at one time). */
#define XENEMU_MAPREC_MAX       (1u << 20)

/* --- handle slots ------------------------------------------------------ */

enum xenemu_slot_state {
	XENEMU_SLOT_FREE = 0,
	XENEMU_SLOT_USED = 1,
};

enum xenemu_slot_kind {
	XENEMU_SLOT_GNTTAB = 1,         /* xengnttab handle: maps and copies */
	XENEMU_SLOT_GNTSHR = 2,         /* xengntshr handle: shares pages */
	XENEMU_SLOT_EVTCHN = 3,         /* xenevtchn handle: binds ports */
	XENEMU_SLOT_TOOL = 4,           /* the toolstack (destroy, sweeps) */
};

/* One open handle of the domain. Written under the domain mutex. */
struct xenemu_slot {
	uint32_t state;         /* enum xenemu_slot_state (atomic load) */
	uint32_t kind;          /* enum xenemu_slot_kind */
	uint32_t gen;           /* bumped at each claim: lets notifiers notice
				 * that a cached FIFO fd is of a previous owner */
	int32_t pid;            /* owner's pid, for diagnostics only */
};

/* --- grantable pages ---------------------------------------------------- */

/* Actions a gntshr page (share_page_notify) or a map (map_grant_ref_notify)
 * takes when it is unshared or unmapped, as Linux's UNMAP_NOTIFY_*. */
#define XENEMU_NOTIFY_CLEAR_BYTE 0x1u
#define XENEMU_NOTIFY_SEND_EVENT 0x2u

/*
 * Bookkeeping of one grantable page, written by the gntshr handle that
 * shares it (under the domain mutex); read by whoever reclaims a dead
 * handle's pages.
 */
struct xenemu_page {
	uint32_t ref;           /* the grant ref that shares this page */
	uint16_t owner;         /* slot + 1 of the sharing handle; 0 after unshare */
	uint16_t notify_flags;  /* XENEMU_NOTIFY_*, for share_page_notify */
	uint32_t notify_port;   /* port of this domain to notify */
	uint16_t notify_offset; /* byte to clear */
	uint16_t pad;
};

/* --- active grant table ------------------------------------------------- */

/*
 * One uint32_t per grant ref, like Xen's active grant entry: how many maps
 * and in-flight copies use the grant (pins), and whether its granter has
 * ended access. Only ever changed with atomic read-modify-write.
 *
 * A mapper (or copier) adds a pin, then reads and checks the grant entry,
 * and drops the pin if the check fails. The granter ends access by setting
 * REVOKING; whoever then sees "REVOKING and no pins" and wins the
 * compare-and-swap to REVOKING|CLAIMED retires the grant: it clears the
 * entry, frees the page and finally the ref. So a grant stays valid for
 * everyone who pinned it before the granter ended access, as on Xen, where
 * the guest cannot end access while GTF_reading/GTF_writing are set.
 */
#define XENEMU_ACT_PINS         0x3fffffffu
#define XENEMU_ACT_REVOKING     0x40000000u
#define XENEMU_ACT_CLAIMED      0x80000000u

/* --- event channels ----------------------------------------------------- */

enum xenemu_port_state {
	XENEMU_PORT_FREE = 0,
	XENEMU_PORT_RESERVED = 1,       /* port 0 */
	XENEMU_PORT_UNBOUND = 2,        /* ECS_UNBOUND: waits for remote dom */
	XENEMU_PORT_INTERDOMAIN = 3,    /* ECS_INTERDOMAIN */
};

/*
 * Port word (atomic uint64_t):
 *   bits  0..7   enum xenemu_port_state
 *   bit   8      PENDING: notified while masked (Xen's pending bit)
 *   bit   9      MASKED: delivered to the owner's FIFO and not unmasked yet
 *                (Linux's evtchn driver masks a port when it delivers it)
 *   bits 16..31  owner: the slot of the event-channel handle that bound it
 *   bits 32..63  generation: bumped at every state change, so a notifier
 *                holding a stale (domain, port, generation) cannot deliver
 *                to a port that has since been closed or re-bound
 * State changes are made under the domain mutex(es); PENDING and MASKED
 * change lock-free by compare-and-swap.
 */
#define XENEMU_PW_STATE(w)      ((uint32_t)((w) & 0xffu))
#define XENEMU_PW_PENDING       0x100ull
#define XENEMU_PW_MASKED        0x200ull
#define XENEMU_PW_OWNER(w)      ((uint32_t)(((w) >> 16) & 0xffffu))
#define XENEMU_PW_GEN(w)        ((uint32_t)((w) >> 32))
#define XENEMU_PW_MAKE(gen, owner, state) \
	(((uint64_t)(gen) << 32) | ((uint64_t)(owner) << 16) | (uint64_t)(state))

/*
 * Peer word (atomic uint64_t), meaning depends on the port state:
 *   UNBOUND      bits 0..15: the remote domain allowed to bind
 *   INTERDOMAIN  bits 0..15 remote domain, 16..31 remote port,
 *                32..63 the remote port's generation when bound
 * Written under the mutexes before the port word that publishes it.
 */
#define XENEMU_PEER_DOM(p)      ((uint16_t)((p) & 0xffffu))
#define XENEMU_PEER_PORT(p)     ((uint32_t)(((p) >> 16) & 0xffffu))
#define XENEMU_PEER_GEN(p)      ((uint32_t)((p) >> 32))
#define XENEMU_PEER_MAKE(dom, port, gen) \
	(((uint64_t)(gen) << 32) | ((uint64_t)(port) << 16) | (uint64_t)(dom))

struct xenemu_port {
	uint64_t word;          /* see XENEMU_PW_* */
	uint64_t peer;          /* see XENEMU_PEER_* */
};

/* --- the state file header ---------------------------------------------- */

struct xenemu_shm {
	uint64_t magic;         /* XENEMU_MAGIC, checked at every open */
	uint32_t version;       /* XENEMU_LAYOUT_VERSION */
	uint32_t domid;
	uint64_t instance;      /* random, new at each creation of this domid:
				 * tells a re-created domain from the old one */
	uint32_t max_grants;    /* entries in gnttab (and active words) */
	uint32_t max_pages;     /* pages in the pages file */
	uint32_t nr_ports;      /* XENEMU_NR_PORTS */
	uint32_t nr_slots;      /* XENEMU_NR_SLOTS */
	/* Byte offsets of the arrays from the start of the state file. */
	uint64_t off_slots;     /* struct xenemu_slot[nr_slots] */
	uint64_t off_pages;     /* struct xenemu_page[max_pages] */
	uint64_t off_page_map;  /* uint64_t[max_pages / 64]: 1 = allocated */
	uint64_t off_ref_map;   /* uint64_t[max_grants / 64]: 1 = allocated */
	uint64_t off_active;    /* uint32_t[max_grants]: XENEMU_ACT_* */
	uint64_t off_ports;     /* struct xenemu_port[nr_ports] */
	uint64_t size;          /* total size of the state file */
	/* Set once by xenemu_domain_destroy (atomic). Every grant copy reads
	 * it, so it shares its cache line only with fields never written. */
	uint32_t dead;
	/* Written by the allocators, on a line of their own. */
	uint32_t page_hint __attribute__((aligned(64))); /* page allocator */
	uint32_t ref_hint;      /* grant-ref allocator: where to look first */
	/* Robust, process-shared: a holder that dies cannot wedge the domain. */
	pthread_mutex_t lock __attribute__((aligned(64)));
};

/* --- map records (maps-<S>) --------------------------------------------- */

#define XENEMU_MAPREC_IN_USE    0x1u
#define XENEMU_MAPREC_WRITE     0x2u
/* XENEMU_NOTIFY_* << 8 */

/*
 * One page mapped through a grant-mapping handle. Written only by that
 * handle; whoever releases the pin first takes the IN_USE flag with an
 * atomic exchange (unmap, the reclaim of a dead handle, or the destruction
 * of the mapping domain), so a pin is never released twice.
 */
struct xenemu_maprec {
	uint32_t flags;         /* XENEMU_MAPREC_* | notify flags << 8 (atomic) */
	uint16_t domid;         /* granting domain */
	uint16_t notify_offset; /* byte of the page to clear on unmap */
	uint32_t ref;           /* grant ref in the granting domain */
	uint32_t notify_port;   /* port of the mapping domain to notify */
	uint64_t instance;      /* the granting domain's instance */
	uint32_t frame;         /* page of the granting domain */
	uint32_t pad;
};

#endif /* XENEMU_SHM_H */
