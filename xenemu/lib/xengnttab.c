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

/* Both kinds open with close-on-exec (libxengnttab ignores the open flags)
 * and give their domain's state file as their fd. */
static struct xengntdev_handle *
handle_open(enum xenemu_slot_kind kind)
{
	return xenemu_handle_open(sizeof(struct xengntdev_handle), kind, true);
}

static int
handle_fd(struct xengntdev_handle *h)
{
	return h->ctx.self->state_fd;
}

static void *
ret_map(int rc, void *addr)
{
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return addr;
}

/* --- xengnttab: mapping and copying other domains' grants ------------------- */

xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;       /* libxengnttab ignores them too */
	return handle_open(XENEMU_SLOT_GNTTAB);
}

int
xengnttab_close(xengnttab_handle *xgt)
{
	return xenemu_handle_close(xgt);
}

int
xengnttab_fd(xengnttab_handle *xgt)
{
	return handle_fd(xgt);
}

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
	void *addr = NULL;
	int rc;

	rc = xenemu_gnt_map(&xgt->ctx, 1, NULL, domid, &ref, prot,
			    UINT32_MAX, UINT32_MAX, &addr);
	return ret_map(rc, addr);
}

void *
xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
			 uint32_t *refs, int prot)
{
	void *addr = NULL;
	int rc;

	if (domids == NULL) {
		errno = EINVAL;
		return NULL;
	}
	rc = xenemu_gnt_map(&xgt->ctx, count, domids, 0, refs, prot,
			    UINT32_MAX, UINT32_MAX, &addr);
	return ret_map(rc, addr);
}

void *
xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				uint32_t domid, uint32_t *refs, int prot)
{
	void *addr = NULL;
	int rc;

	rc = xenemu_gnt_map(&xgt->ctx, count, NULL, domid, refs, prot,
			    UINT32_MAX, UINT32_MAX, &addr);
	return ret_map(rc, addr);
}

void *
xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
			       int prot, uint32_t notify_offset,
			       evtchn_port_t notify_port)
{
	void *addr = NULL;
	int rc;

	/* As libxengnttab: an offset past the page means no byte to clear,
	 * port -1 means no event. */
	if (notify_offset >= XENEMU_PAGE_SIZE)
		notify_offset = UINT32_MAX;
	rc = xenemu_gnt_map(&xgt->ctx, 1, NULL, domid, &ref, prot,
			    notify_offset, notify_port, &addr);
	return ret_map(rc, addr);
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

xengntshr_handle *
xengntshr_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open(XENEMU_SLOT_GNTSHR);
}

int
xengntshr_close(xengntshr_handle *xgs)
{
	return xenemu_handle_close(xgs);
}

int
xengntshr_fd(xengntshr_handle *xgs)
{
	return handle_fd(xgs);
}

void *
xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
		      uint32_t *refs, int writable)
{
	void *addr = NULL;
	int rc;

	if (count <= 0) {
		errno = EINVAL;
		return NULL;
	}
	rc = xenemu_shr_share(&xgs->ctx, domid, (uint32_t)count, refs,
			      writable != 0, UINT32_MAX, UINT32_MAX, &addr);
	return ret_map(rc, addr);
}

void *
xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid, uint32_t *ref,
			    int writable, uint32_t notify_offset,
			    evtchn_port_t notify_port)
{
	void *addr = NULL;
	int rc;

	if (notify_offset >= XENEMU_PAGE_SIZE)
		notify_offset = UINT32_MAX;
	rc = xenemu_shr_share(&xgs->ctx, domid, 1, ref, writable != 0,
			      notify_offset, notify_port, &addr);
	return ret_map(rc, addr);
}

int
xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	return xenemu_ret_errno(xenemu_shr_unshare(&xgs->ctx, start_address,
						   count));
}
