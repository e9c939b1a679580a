/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core, the bottom layer: domains (creation, destruction, mapping
 * their files), handles (slots, their liveness, reclaiming what dead
 * processes held) and the close hooks through which the layers above
 * (evtchn.c, gnttab.c) join in. It calls no grant or event-channel code
 * by name: see xenemu_domain.h.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xenemu_domain.h"

/* The grant table file is laid out here, with Xen's reserved refs. */
#include <xen/grant_table.h>

#define DEFAULT_STATE_DIR "/run/xenemu"

const char *
xenemu_state_dir(void)
{
	const char *dir = getenv("XENEMU_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : DEFAULT_STATE_DIR;
}

int
xenemu_dom_path(char *buf, size_t len, const char *dir, uint32_t domid,
		const char *leaf)
{
	int n;

	if (leaf != NULL)
		n = snprintf(buf, len, "%s/dom/%u/%s", dir, domid, leaf);
	else
		n = snprintf(buf, len, "%s/dom/%u", dir, domid);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static uint64_t
align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Offsets of the state file's arrays for the given limits (xenemu_shm.h). */
static void
layout(struct xenemu_shm *h, uint32_t max_grants, uint32_t max_pages)
{
	uint64_t off = align_up(sizeof(*h), 64);

	h->max_grants = max_grants;
	h->max_pages = max_pages;
	h->nr_ports = XENEMU_NR_PORTS;
	h->nr_slots = XENEMU_NR_SLOTS;
	h->off_slots = off;
	off = align_up(off + (uint64_t)h->nr_slots * sizeof(struct xenemu_slot), 64);
	h->off_pages = off;
	off = align_up(off + (uint64_t)max_pages * sizeof(struct xenemu_page), 64);
	h->off_page_map = off;
	off = align_up(off + (uint64_t)(max_pages + 63) / 64 * 8, 64);
	h->off_ref_map = off;
	off = align_up(off + (uint64_t)(max_grants + 63) / 64 * 8, 64);
	h->off_active = off;
	off = align_up(off + (uint64_t)max_grants * sizeof(uint32_t), 64);
	h->off_ports = off;
	off += (uint64_t)h->nr_ports * sizeof(struct xenemu_port);
	h->size = align_up(off, XENEMU_PAGE_SIZE);
}

/* --- creating and removing a domain's directory --------------------------- */

static int
mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);
	char *p;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

/* Remove a domain directory and the files in it (no subdirectories). */
static int
remove_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int rc = 0;

	if (dir == NULL)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) != 0 && errno != ENOENT)
			rc = -errno;
	}
	closedir(dir);
	if (rmdir(path) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Closes <fd> after a failed call on it: that call's -errno. */
static int
close_err(int fd)
{
	int rc = -errno;

	close(fd);
	return rc;
}

/* Hands <fd> to the caller if it wants it (fdp), else closes it. */
static int
give_fd(int fd, int *fdp)
{
	if (fdp != NULL)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

static int
create_file(const char *dirpath, const char *name, uint64_t size, int *fdp)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dirpath, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) != 0)
		return close_err(fd);
	return give_fd(fd, fdp);
}

/* Mark the bits past entry <n> in the last word of a bitmap as used. */
static void
bitmap_fill_tail(uint64_t *map, uint32_t n)
{
	uint32_t words = (n + 63) / 64;

	if (n % 64 != 0)
		map[words - 1] |= ~0ull << (n % 64);
}

static uint64_t
new_instance(void)
{
	uint64_t v = 0;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		v = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
			((uint64_t)getpid() << 16);
	}
	return v | 1;
}

static int
init_state(int fd, uint16_t domid, uint32_t max_grants, uint32_t max_pages,
	   uint64_t size)
{
	pthread_mutexattr_t attr;
	struct xenemu_shm *h;
	struct xenemu_port *ports;
	uint64_t *ref_map;
	uint32_t i;
	int rc;

	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return -errno;
	layout(h, max_grants, max_pages);
	h->version = XENEMU_LAYOUT_VERSION;
	h->domid = domid;
	h->instance = new_instance();
	h->page_hint = 0;
	h->ref_hint = GNTTAB_NR_RESERVED_ENTRIES;

	/* Grant refs 0..7 are reserved as on Xen; bits past the end are
	 * marked used so that the allocators never return them. */
	ref_map = (uint64_t *)((uint8_t *)h + h->off_ref_map);
	for (i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++)
		ref_map[i / 64] |= 1ull << (i % 64);
	bitmap_fill_tail(ref_map, max_grants);
	bitmap_fill_tail((uint64_t *)((uint8_t *)h + h->off_page_map), max_pages);

	/* Port 0 is never allocated (ECS_RESERVED on Xen). */
	ports = (struct xenemu_port *)((uint8_t *)h + h->off_ports);
	ports[0].word = XENEMU_PW_MAKE(0, 0, XENEMU_PORT_RESERVED);

	rc = pthread_mutexattr_init(&attr);
	if (rc == 0) {
		rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		if (rc == 0)
			rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
		if (rc == 0)
			rc = pthread_mutex_init(&h->lock, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	/* The magic last: a header without it is never used. */
	if (rc == 0)
		__atomic_store_n(&h->magic, XENEMU_MAGIC, __ATOMIC_RELEASE);
	munmap(h, size);
	return -rc;
}

int
xenemu_domain_create(const char *dir, uint16_t domid, unsigned int max_grants,
		     unsigned int max_pages)
{
	char dompath[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
	struct xenemu_shm h;
	int fd, rc;

	if (dir == NULL || dir[0] == '\0' || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (max_grants == 0)
		max_grants = XENEMU_DEFAULT_MAX_GRANTS;
	if (max_pages == 0)
		max_pages = XENEMU_DEFAULT_MAX_PAGES;
	if (max_grants < XENEMU_MIN_GRANTS || max_grants > XENEMU_MAX_GRANTS_LIMIT ||
	    max_pages > XENEMU_MAX_PAGES_LIMIT)
		return -EINVAL;

	if (snprintf(dompath, sizeof(dompath), "%s/dom", dir) >= (int)sizeof(dompath))
		return -ENAMETOOLONG;
	rc = mkdir_p(dompath);
	if (rc != 0)
		return rc;
	rc = xenemu_dom_path(final, sizeof(final), dir, domid, NULL);
	if (rc != 0)
		return rc;
	if (access(final, F_OK) == 0)
		return -EEXIST;

	/* Build the domain in a private directory, then publish it with one
	 * rename that fails if the domain appeared meanwhile. */
	if (snprintf(tmp, sizeof(tmp), "%s/.new-%u-XXXXXX", dompath, domid) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (mkdtemp(tmp) == NULL)
		return -errno;

	memset(&h, 0, sizeof(h));
	layout(&h, max_grants, max_pages);
	rc = create_file(tmp, "state", h.size, &fd);
	if (rc == 0) {
		rc = init_state(fd, domid, max_grants, max_pages, h.size);
		close(fd);
	}
	if (rc == 0)
		rc = create_file(tmp, "gnttab",
				 (uint64_t)max_grants * sizeof(struct grant_entry_v1), NULL);
	if (rc == 0)
		rc = create_file(tmp, "pages",
				 (uint64_t)max_pages * XENEMU_PAGE_SIZE, NULL);
	if (rc == 0 && chmod(tmp, 0755) != 0)
		rc = -errno;
	if (rc == 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) != 0)
		rc = (errno == ENOTEMPTY) ? -EEXIST : -errno;
	if (rc != 0)
		remove_dir(tmp);
	return rc;
}

int
xenemu_domain_exists(const char *dir, uint16_t domid)
{
	char path[PATH_MAX];
	struct xenemu_shm h;
	ssize_t n;
	int fd, rc;

	if (dir == NULL || domid >= DOMID_FIRST_RESERVED)
		return 0;
	rc = xenemu_dom_path(path, sizeof(path), dir, domid, "state");
	if (rc != 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (errno == ENOENT || errno == ENOTDIR) ? 0 : -errno;
	n = pread(fd, &h, offsetof(struct xenemu_shm, lock), 0);
	rc = -errno;
	close(fd);
	if (n < 0)
		return rc;
	if ((size_t)n < offsetof(struct xenemu_shm, lock) || h.magic != XENEMU_MAGIC ||
	    h.version != XENEMU_LAYOUT_VERSION || h.domid != domid)
		return 0;
	return h.dead ? 0 : 1;
}

/* --- mapping a domain ------------------------------------------------------ */

static int
map_file(const char *dir, uint32_t domid, const char *leaf, size_t size,
	 void **addr, int *fdp)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, rc;

	rc = xenemu_dom_path(path, sizeof(path), dir, domid, leaf);
	if (rc != 0)
		return rc;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return (errno == ENOTDIR) ? -ENOENT : -errno;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < size) {
		close(fd);
		return -EINVAL;
	}
	*addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*addr == MAP_FAILED)
		return close_err(fd);
	return give_fd(fd, fdp);
}

void
xenemu_dom_close(struct xenemu_dom *d)
{
	if (d == NULL)
		return;
	if (d->pages != NULL)
		munmap(d->pages, d->pages_size);
	if (d->gnttab != NULL)
		munmap(d->gnttab, d->gnttab_size);
	if (d->shm != NULL)
		munmap(d->shm, d->shm_size);
	if (d->page_fd >= 0)
		close(d->page_fd);
	if (d->state_fd >= 0)
		close(d->state_fd);
	free(d);
}

int
xenemu_dom_open(const char *dir, uint32_t domid, struct xenemu_dom **out)
{
	struct xenemu_shm want, hdr;
	struct xenemu_dom *d;
	void *p;
	int rc;

	if (domid >= DOMID_FIRST_RESERVED)
		return -ENOENT;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->state_fd = -1;
	d->page_fd = -1;
	d->domid = (uint16_t)domid;
	rc = xenemu_dom_path(d->path, sizeof(d->path), dir, domid, NULL);
	if (rc != 0)
		goto fail;

	/* Read the header first to learn the size, then map the whole file. */
	rc = map_file(dir, domid, "state", sizeof(hdr), &p, &d->state_fd);
	if (rc != 0)
		goto fail;
	memcpy(&hdr, p, sizeof(hdr));
	munmap(p, sizeof(hdr));
	if (hdr.magic != XENEMU_MAGIC || hdr.version != XENEMU_LAYOUT_VERSION ||
	    hdr.domid != domid || hdr.max_grants < XENEMU_MIN_GRANTS ||
	    hdr.max_grants > XENEMU_MAX_GRANTS_LIMIT ||
	    hdr.max_pages > XENEMU_MAX_PAGES_LIMIT) {
		rc = -EINVAL;
		goto fail;
	}
	/* The offsets must be exactly what this library would lay out. */
	memset(&want, 0, sizeof(want));
	layout(&want, hdr.max_grants, hdr.max_pages);
	if (hdr.nr_ports != want.nr_ports || hdr.nr_slots != want.nr_slots ||
	    hdr.off_slots != want.off_slots || hdr.off_pages != want.off_pages ||
	    hdr.off_page_map != want.off_page_map ||
	    hdr.off_ref_map != want.off_ref_map ||
	    hdr.off_active != want.off_active || hdr.off_ports != want.off_ports ||
	    hdr.size != want.size) {
		rc = -EINVAL;
		goto fail;
	}
	close(d->state_fd);
	d->state_fd = -1;
	d->shm_size = want.size;
	rc = map_file(dir, domid, "state", d->shm_size, &p, &d->state_fd);
	if (rc != 0)
		goto fail;
	d->shm = p;
	if (xenemu_dom_dead(d)) {
		rc = -ENOENT;
		goto fail;
	}
	d->instance = hdr.instance;
	d->max_grants = want.max_grants;
	d->max_pages = want.max_pages;
	d->nr_ports = want.nr_ports;
	d->nr_slots = want.nr_slots;
	d->slots = (struct xenemu_slot *)((uint8_t *)p + want.off_slots);
	d->page_meta = (struct xenemu_page *)((uint8_t *)p + want.off_pages);
	d->page_map = (uint64_t *)((uint8_t *)p + want.off_page_map);
	d->ref_map = (uint64_t *)((uint8_t *)p + want.off_ref_map);
	d->active = (uint32_t *)((uint8_t *)p + want.off_active);
	d->ports = (struct xenemu_port *)((uint8_t *)p + want.off_ports);

	d->gnttab_size = (size_t)d->max_grants * sizeof(struct grant_entry_v1);
	rc = map_file(dir, domid, "gnttab", d->gnttab_size, &p, NULL);
	if (rc != 0)
		goto fail;
	d->gnttab = p;
	d->pages_size = (size_t)d->max_pages * XENEMU_PAGE_SIZE;
	if (d->pages_size != 0) {
		rc = map_file(dir, domid, "pages", d->pages_size, &p, &d->page_fd);
		if (rc != 0)
			goto fail;
		d->pages = p;
	}
	*out = d;
	return 0;
fail:
	xenemu_dom_close(d);
	return rc;
}

/* --- the domain mutex -------------------------------------------------------- */

int
xenemu_dom_lock(struct xenemu_dom *d)
{
	int rc = pthread_mutex_lock(&d->shm->lock);

	/* A holder died: the state it was changing is made of single-word
	 * stores, each of which leaves it consistent; carry on. */
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&d->shm->lock);
	return -rc;
}

void
xenemu_dom_unlock(struct xenemu_dom *d)
{
	pthread_mutex_unlock(&d->shm->lock);
}

int
xenemu_dom_lock2(struct xenemu_dom *a, struct xenemu_dom *b)
{
	int rc;

	if (b == NULL || a->domid == b->domid)
		return xenemu_dom_lock(a);
	if (a->domid > b->domid) {
		struct xenemu_dom *t = a;

		a = b;
		b = t;
	}
	rc = xenemu_dom_lock(a);
	if (rc != 0)
		return rc;
	rc = xenemu_dom_lock(b);
	if (rc != 0)
		xenemu_dom_unlock(a);
	return rc;
}

void
xenemu_dom_unlock2(struct xenemu_dom *a, struct xenemu_dom *b)
{
	if (b != NULL && a->domid != b->domid)
		xenemu_dom_unlock(b);
	xenemu_dom_unlock(a);
}

/* --- close hooks --------------------------------------------------------------- */

/* Event channels and grant tables, and room to spare. */
#define MAX_HOOKS 4

/* Filled by constructors before any handle exists, read-only after. */
static const struct xenemu_close_hooks *hooks[MAX_HOOKS];
static unsigned int nr_hooks;

void
xenemu_close_hooks_register(const struct xenemu_close_hooks *h)
{
	unsigned int i;

	if (nr_hooks == MAX_HOOKS)
		abort();
	/* Kept sorted by level, so the callers below only pick a direction. */
	for (i = nr_hooks; i > 0 && hooks[i - 1]->level > h->level; i--)
		hooks[i] = hooks[i - 1];
	hooks[i] = h;
	nr_hooks++;
}

/* --- handles ----------------------------------------------------------------- */

/* Take (F_WRLCK) or drop (F_UNLCK) the OFD lock of slot <slot>. */
static int
slot_lock(int fd, short type, uint32_t slot)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = (off_t)slot,
		.l_len = 1,
	};

	return fcntl(fd, F_OFD_SETLK, &fl) == 0 ? 0 : -errno;
}

void
xenemu_ctx_sweep(struct xenemu_ctx *c)
{
	struct xenemu_dom *d = c->self;
	uint32_t i, kind;
	unsigned int h;

	for (i = 0; i < d->nr_slots; i++) {
		if ((int)i == c->slot ||
		    __atomic_load_n(&d->slots[i].state, __ATOMIC_ACQUIRE) !=
		    XENEMU_SLOT_USED)
			continue;
		/* Getting the lock means its owner is gone. */
		if (slot_lock(d->state_fd, F_WRLCK, i) != 0)
			continue;
		if (__atomic_load_n(&d->slots[i].state, __ATOMIC_ACQUIRE) ==
		    XENEMU_SLOT_USED) {
			kind = d->slots[i].kind;
			for (h = nr_hooks; h-- > 0;)
				if (hooks[h]->slot_reclaim != NULL)
					hooks[h]->slot_reclaim(c, d, i, kind);
			if (xenemu_dom_lock(d) == 0) {
				__atomic_store_n(&d->slots[i].state, XENEMU_SLOT_FREE,
						 __ATOMIC_RELEASE);
				xenemu_dom_unlock(d);
			}
		}
		slot_lock(d->state_fd, F_UNLCK, i);
	}
}

/* Whether a process other than this one holds the OFD lock of <slot>. */
static bool
slot_owner_alive(int fd, uint32_t slot)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)slot,
		.l_len = 1,
	};

	if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
		return true;	/* cannot tell: do not call it dead */
	return fl.l_type != F_UNLCK;
}

int
xenemu_domain_stat(const char *dir, uint16_t domid, struct xenemu_domain_stat *st)
{
	struct xenemu_dom *d;
	uint32_t i, w, state;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = xenemu_dom_open(dir, domid, &d);
	if (rc != 0)
		return rc;
	/* Reads only: atomic loads, no lock, nothing reclaimed. */
	for (i = GNTTAB_NR_RESERVED_ENTRIES; i < d->max_grants; i++) {
		if (__atomic_load_n(&d->ref_map[i / 64], __ATOMIC_RELAXED) &
		    (1ull << (i % 64)))
			st->grants++;
		w = __atomic_load_n(&d->active[i], __ATOMIC_RELAXED);
		st->pins += w & XENEMU_ACT_PINS;
		if ((w & XENEMU_ACT_REVOKING) && !(w & XENEMU_ACT_CLAIMED))
			st->revoking++;
	}
	for (i = 0; i < d->max_pages; i++)
		if (__atomic_load_n(&d->page_map[i / 64], __ATOMIC_RELAXED) &
		    (1ull << (i % 64)))
			st->pages++;
	for (i = 0; i < d->nr_ports; i++) {
		state = XENEMU_PW_STATE(__atomic_load_n(&d->ports[i].word,
							__ATOMIC_RELAXED));
		if (state == XENEMU_PORT_UNBOUND || state == XENEMU_PORT_INTERDOMAIN)
			st->ports++;
	}
	for (i = 0; i < d->nr_slots; i++) {
		if (__atomic_load_n(&d->slots[i].state, __ATOMIC_ACQUIRE) !=
		    XENEMU_SLOT_USED)
			continue;
		st->handles++;
		if (!slot_owner_alive(d->state_fd, i))
			st->dead_handles++;
	}
	xenemu_dom_close(d);
	return 0;
}

static int
slot_claim(struct xenemu_ctx *c)
{
	struct xenemu_dom *d = c->self;
	uint32_t i;
	int rc;

	rc = xenemu_dom_lock(d);
	if (rc != 0)
		return rc;
	rc = -EMFILE;
	if (xenemu_dom_dead(d)) {
		rc = -ENOENT;
	} else {
		for (i = 0; i < d->nr_slots; i++) {
			if (__atomic_load_n(&d->slots[i].state, __ATOMIC_ACQUIRE) !=
			    XENEMU_SLOT_FREE || slot_lock(d->state_fd, F_WRLCK, i) != 0)
				continue;
			d->slots[i].kind = c->kind;
			d->slots[i].pid = getpid();
			__atomic_add_fetch(&d->slots[i].gen, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&d->slots[i].state, XENEMU_SLOT_USED,
					 __ATOMIC_RELEASE);
			c->slot = (int)i;
			rc = 0;
			break;
		}
	}
	xenemu_dom_unlock(d);
	return rc;
}

static void
slot_release(struct xenemu_ctx *c)
{
	struct xenemu_dom *d = c->self;

	if (c->slot < 0)
		return;
	if (xenemu_dom_lock(d) == 0) {
		__atomic_store_n(&d->slots[c->slot].state, XENEMU_SLOT_FREE,
				 __ATOMIC_RELEASE);
		xenemu_dom_unlock(d);
	}
	slot_lock(d->state_fd, F_UNLCK, (uint32_t)c->slot);
	c->slot = -1;
}

struct xenemu_dom *
xenemu_ctx_dom_slow(struct xenemu_ctx *c, uint32_t domid)
{
	struct xenemu_dom *d;

	if (domid >= DOMID_FIRST_RESERVED)
		return NULL;
	pthread_mutex_lock(&c->dom_mu);
	d = c->doms[domid];
	if (d != NULL && !xenemu_dom_dead(d))
		goto out;
	if (d == c->self) {
		/* Our own domain was destroyed: nothing to map any more. */
		d = NULL;
		goto out;
	}
	if (d != NULL) {
		/* Keep the old view mapped: another thread may be copying
		 * through it, and maps made from it stay valid. */
		d->next = c->retired;
		c->retired = d;
		__atomic_store_n(&c->doms[domid], NULL, __ATOMIC_RELEASE);
	}
	if (xenemu_dom_open(c->dir, domid, &d) != 0)
		d = NULL;
	else
		__atomic_store_n(&c->doms[domid], d, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&c->dom_mu);
	return d;
}

int
xenemu_ctx_open_dom(struct xenemu_ctx *c, const char *dir, uint32_t domid,
		    enum xenemu_slot_kind kind, bool cloexec)
{
	size_t len = strlen(dir);
	unsigned int h;
	int rc;

	memset(c, 0, sizeof(*c));
	c->slot = -1;
	c->pid = getpid();
	c->kind = kind;
	c->cloexec = cloexec;
	pthread_mutex_init(&c->dom_mu, NULL);
	for (h = 0; h < nr_hooks; h++)
		if (hooks[h]->ctx_init != NULL)
			hooks[h]->ctx_init(c);
	if (len == 0 || len >= sizeof(c->dir)) {
		rc = len == 0 ? -EINVAL : -ENAMETOOLONG;
		goto fail;
	}
	memcpy(c->dir, dir, len + 1);
	if (domid >= DOMID_FIRST_RESERVED) {
		rc = -EINVAL;
		goto fail;
	}
	c->doms = calloc(DOMID_FIRST_RESERVED, sizeof(*c->doms));
	if (c->doms == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = xenemu_dom_open(dir, domid, &c->self);
	if (rc != 0)
		goto fail;
	c->doms[domid] = c->self;
	xenemu_ctx_sweep(c);
	rc = slot_claim(c);
	if (rc != 0)
		goto fail;
	for (h = 0; h < nr_hooks; h++) {
		rc = hooks[h]->ctx_open != NULL ? hooks[h]->ctx_open(c) : 0;
		if (rc != 0)
			goto fail;
	}
	return 0;
fail:
	xenemu_ctx_close(c);
	return rc;
}

int
xenemu_ctx_open(struct xenemu_ctx *c, enum xenemu_slot_kind kind, bool cloexec)
{
	const char *env = getenv("XENEMU_DOMID");
	unsigned long domid = 0;
	char *end;

	if (env != NULL && env[0] != '\0') {
		errno = 0;
		domid = strtoul(env, &end, 10);
		if (errno != 0 || *end != '\0' || env[0] == '-' ||
		    domid >= DOMID_FIRST_RESERVED)
			return -EINVAL;
	}
	return xenemu_ctx_open_dom(c, xenemu_state_dir(), (uint32_t)domid, kind,
				   cloexec);
}

void
xenemu_ctx_close(struct xenemu_ctx *c)
{
	bool owner = c->pid == getpid();
	struct xenemu_dom *d;
	unsigned int i, h;

	/* Inherited over fork(), the maps, shares, ports and slot are the
	 * parent's: the layers drop only this process's copies, and the
	 * slot's OFD lock stays with the parent's open file. */
	if (c->self != NULL)
		for (h = nr_hooks; h-- > 0;)
			if (hooks[h]->ctx_close != NULL)
				hooks[h]->ctx_close(c, owner);
	if (c->self != NULL && owner)
		slot_release(c);
	for (h = nr_hooks; h-- > 0;)
		if (hooks[h]->ctx_fini != NULL)
			hooks[h]->ctx_fini(c);
	if (c->doms != NULL) {
		for (i = 0; i < DOMID_FIRST_RESERVED; i++)
			if (c->doms[i] != NULL && c->doms[i] != c->self)
				xenemu_dom_close(c->doms[i]);
		free(c->doms);
		c->doms = NULL;
	}
	while ((d = c->retired) != NULL) {
		c->retired = d->next;
		xenemu_dom_close(d);
	}
	xenemu_dom_close(c->self);
	c->self = NULL;
	pthread_mutex_destroy(&c->dom_mu);
}

/* --- destruction --------------------------------------------------------------- */

int
xenemu_domain_destroy(const char *dir, uint16_t domid)
{
	char dompath[PATH_MAX], grave[PATH_MAX];
	struct xenemu_ctx c;
	struct xenemu_dom *d;
	unsigned int h;
	int rc;

	if (dir == NULL || dir[0] == '\0' || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	rc = xenemu_ctx_open_dom(&c, dir, domid, XENEMU_SLOT_TOOL, true);
	if (rc != 0)
		return rc;
	d = c.self;

	/* From here on no grant of the domain can be mapped or copied
	 * (GNTST_bad_domain), no port bound, no handle opened. */
	rc = xenemu_dom_lock(d);
	if (rc == 0) {
		if (xenemu_dom_dead(d))
			rc = -ENOENT;
		else
			__atomic_store_n(&d->shm->dead, 1, __ATOMIC_RELEASE);
		xenemu_dom_unlock(d);
	}
	if (rc != 0) {
		xenemu_ctx_close(&c);
		return rc;
	}

	/* The layers release what the domain holds: its ports close (the
	 * peers' ends become unbound) and its mappings' pins on other
	 * domains' grants go, as Xen tears down a dying domain. */
	for (h = nr_hooks; h-- > 0;)
		if (hooks[h]->domain_destroy != NULL)
			hooks[h]->domain_destroy(&c, d);

	/* Remove its files. Processes that still map them keep the memory
	 * until they unmap it. */
	if (snprintf(dompath, sizeof(dompath), "%s/dom", dir) >= (int)sizeof(dompath) ||
	    snprintf(grave, sizeof(grave), "%s/.dead-%u-XXXXXX", dompath, domid) >=
	    (int)sizeof(grave)) {
		rc = -ENAMETOOLONG;
	} else if (mkdtemp(grave) == NULL) {
		rc = -errno;
	} else if (rename(d->path, grave) != 0) {
		rc = -errno;
		rmdir(grave);
	} else {
		rc = remove_dir(grave);
	}
	xenemu_ctx_close(&c);
	return rc;
}
