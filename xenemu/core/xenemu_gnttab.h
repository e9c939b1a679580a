/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core, grant tables (gnttab.c): the layer above event channels
 * (xenemu_evtchn.h, for unmap notifications) and the domain
 * (xenemu_domain.h) that shares pages, maps and copies grants. It registers
 * close hooks with the domain layer to unmap and unshare what closed
 * handles, dead processes and destroyed domains held.
 *
 * All functions returning int return 0 (or a non-negative result) or a
 * negative errno.
 */

#ifndef XENEMU_GNTTAB_H
#define XENEMU_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>
#include <xengnttab.h>

#include "xenemu_domain.h"

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

#endif /* XENEMU_GNTTAB_H */
