/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu's drop-in libxengnttab.so.1: the API of Xen 4.17's libxengnttab
 * (xengnttab.h; symbol versions in libxengnttab.map) on the xenemu core
 * instead of Linux's /dev/xen/gntdev and /dev/xen/gntalloc.
 *
 * The calling process belongs to domain $XENEMU_DOMID (default 0) of the
 * instance in $XENEMU_DIR (default /run/xenemu). Opening a handle fails with
 * ENOENT when that domain does not exist, as opening /dev/xen/gntdev does
 * where there is no Xen. Errors are reported as libxengnttab reports them on
 * Linux: NULL or -1 with errno; grant copy statuses per segment.
 */

#include <sys/mman.h>

#include <xengnttab.h>

#include "xenemu_lib.h"

/* Both handle types of the API are this structure, as in libxengnttab. */
struct xengntdev_handle {
	struct xenemu_ctx ctx;          /* first: see xenemu_lib.h */
};

/*
 * open, close and fd of both kinds of handle (xengnttab_*, xengntshr_*),
 * which are the same: both open with close-on-exec (libxengnttab ignores
 * the open flags) and give their domain's state file as their fd.
 */
#define XENGNTDEV_HANDLE_CALLS(kind, slot)				\
kind ## _handle *							\
kind ## _open(struct xentoollog_logger *logger, unsigned int open_flags) \
{									\
	(void)logger;							\
	(void)open_flags;						\
	return xenemu_handle_open(sizeof(struct xengntdev_handle), slot,	\
				  true);				\
}									\
									\
int									\
kind ## _close(kind ## _handle *h)					\
{									\
	return xenemu_handle_close(h);					\
}									\
									\
int									\
kind ## _fd(kind ## _handle *h)						\
{									\
	return h->ctx.self->state_fd;					\
}

/*
 * What one map or share of the core gave (rc, addr): the address, or NULL
 * with errno.
 */
static void *
ret_map(int rc, void *addr)
{
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return addr;
}

/*
 * The notify offset for the core: as in libxengnttab, one past the page
 * means no byte to clear (and port -1 no event).
 */
static uint32_t
notify_off(uint32_t offset)
{
	return offset < XENEMU_PAGE_SIZE ? offset : UINT32_MAX;
}

/* The map and share calls of the API, each one core call. */
static void *
gnt_map(struct xengntdev_handle *h, uint32_t count, uint32_t *domids,
	uint32_t domid, uint32_t *refs, int prot, uint32_t notify_offset,
	evtchn_port_t notify_port)
{
	void *addr = NULL;
	int rc = xenemu_gnt_map(&h->ctx, count, domids, domid, refs, prot,
				notify_off(notify_offset), notify_port, &addr);

	return ret_map(rc, addr);
}

static void *
shr_share(struct xengntdev_handle *h, uint32_t domid, uint32_t count,
	  uint32_t *refs, int writable, uint32_t notify_offset,
	  evtchn_port_t notify_port)
{
	void *addr = NULL;
	int rc = xenemu_shr_share(&h->ctx, domid, count, refs, writable != 0,
				  notify_off(notify_offset), notify_port,
				  &addr);

	return ret_map(rc, addr);
}

/* --- xengnttab: mapping and copying other domains' grants ------------------- */

XENGNTDEV_HANDLE_CALLS(xengnttab, XENEMU_SLOT_GNTTAB)

int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	/* Linux's gntdev no longer has the ioctl and libxengnttab treats
	 * that as success; xenemu's limit is XENEMU_MAPREC_MAX per handle. */
	(void)xgt;
	(void)nr_grants;
	return 0;
}

void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
			int prot)
{
	return gnt_map(xgt, 1, NULL, domid, &ref, prot, UINT32_MAX,
		       UINT32_MAX);
}

void *
xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
			 uint32_t *refs, int prot)
{
	if (domids == NULL) {
		errno = EINVAL;
		return NULL;
	}
	return gnt_map(xgt, count, domids, 0, refs, prot, UINT32_MAX,
		       UINT32_MAX);
}

void *
xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				uint32_t domid, uint32_t *refs, int prot)
{
	return gnt_map(xgt, count, NULL, domid, refs, prot, UINT32_MAX,
		       UINT32_MAX);
}

void *
xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
			       int prot, uint32_t notify_offset,
			       evtchn_port_t notify_port)
{
	return gnt_map(xgt, 1, NULL, domid, &ref, prot, notify_offset,
		       notify_port);
}

int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	return xenemu_ret_errno(xenemu_gnt_unmap(&xgt->ctx, start_address,
						 count));
}

int
xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
		     xengnttab_grant_copy_segment_t *segs)
{
	return xenemu_ret_errno(xenemu_gnt_copy(&xgt->ctx, count, segs));
}

/* dma-buf export/import needs a kernel: not emulated. */

int
xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid,
			       uint32_t flags, uint32_t count,
			       const uint32_t *refs, uint32_t *fd)
{
	(void)xgt; (void)domid; (void)flags; (void)count; (void)refs; (void)fd;
	return xenemu_ret_errno(-ENOSYS);
}

int
xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd,
				   uint32_t wait_to_ms)
{
	(void)xgt; (void)fd; (void)wait_to_ms;
	return xenemu_ret_errno(-ENOSYS);
}

int
xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid, uint32_t fd,
			     uint32_t count, uint32_t *refs)
{
	(void)xgt; (void)domid; (void)fd; (void)count; (void)refs;
	return xenemu_ret_errno(-ENOSYS);
}

int
xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
	(void)xgt; (void)fd;
	return xenemu_ret_errno(-ENOSYS);
}

/* --- xengntshr: sharing pages of the caller's domain ---------------------- */

XENGNTDEV_HANDLE_CALLS(xengntshr, XENEMU_SLOT_GNTSHR)

void *
xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
		      uint32_t *refs, int writable)
{
	if (count <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return shr_share(xgs, domid, (uint32_t)count, refs, writable,
			 UINT32_MAX, UINT32_MAX);
}

void *
xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid, uint32_t *ref,
			    int writable, uint32_t notify_offset,
			    evtchn_port_t notify_port)
{
	return shr_share(xgs, domid, 1, ref, writable, notify_offset,
			 notify_port);
}

int
xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	return xenemu_ret_errno(xenemu_shr_unshare(&xgs->ctx, start_address,
						   count));
}
