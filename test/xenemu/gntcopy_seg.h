/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Grant-copy segments for the grant-table tests, one builder per direction,
 * so that each test says which grant and which bytes a segment names and the
 * union's fields are filled the same way everywhere. Status starts at 0.
 */

#ifndef GNTCOPY_SEG_H
#define GNTCOPY_SEG_H

#include <stdint.h>
#include <xengnttab.h>

/* From (domid, ref, offset) into local memory at dst. */
static inline xengnttab_grant_copy_segment_t
seg_from_grant(uint16_t domid, uint32_t ref, uint16_t offset, void *dst, uint16_t len)
{
	xengnttab_grant_copy_segment_t s = { .flags = GNTCOPY_source_gref, .len = len };

	s.source.foreign.domid = domid;
	s.source.foreign.ref = ref;
	s.source.foreign.offset = offset;
	s.dest.virt = dst;
	return s;
}

/* From local memory at src into (domid, ref, offset). */
static inline xengnttab_grant_copy_segment_t
seg_to_grant(void *src, uint16_t domid, uint32_t ref, uint16_t offset, uint16_t len)
{
	xengnttab_grant_copy_segment_t s = { .flags = GNTCOPY_dest_gref, .len = len };

	s.source.virt = src;
	s.dest.foreign.domid = domid;
	s.dest.foreign.ref = ref;
	s.dest.foreign.offset = offset;
	return s;
}

/* From one grant to another: both ends (domid, ref, offset). */
static inline xengnttab_grant_copy_segment_t
seg_grant_to_grant(uint16_t sdom, uint32_t sref, uint16_t soff,
		   uint16_t ddom, uint32_t dref, uint16_t doff, uint16_t len)
{
	xengnttab_grant_copy_segment_t s = {
		.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref, .len = len,
	};

	s.source.foreign.domid = sdom;
	s.source.foreign.ref = sref;
	s.source.foreign.offset = soff;
	s.dest.foreign.domid = ddom;
	s.dest.foreign.ref = dref;
	s.dest.foreign.offset = doff;
	return s;
}

#endif /* GNTCOPY_SEG_H */
