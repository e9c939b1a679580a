/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_frame: the one packet codec of the test peers. A test frame is
 *
 *   Ethernet / [IPv4 or IPv6 / TCP or UDP] / test header / pattern
 *
 * or, for a raw frame, Ethernet (type TL_ETHERTYPE_TEST) / test header /
 * pattern. The test header (big-endian) carries what a receiver needs to
 * rebuild the whole frame and compare it byte for byte: magic, sequence
 * number, frame length, queue and kind (the sender's own shape number).
 * Every byte after the L4 header is the pattern of (seq, queue, offset),
 * so a stale or misplaced page shows up as a difference, not as a frame.
 * A frame too short for the test header carries the pattern alone; it can
 * be compared with what was sent, not parsed.
 *
 * xen-traffic's format (app/xen-traffic/xt_frame.c) does not fit here: it
 * is IPv4/UDP only with a 62-byte minimum (the peers send 60-byte frames,
 * TCP, IPv6 and raw frames up to 65535 bytes), and it is built and checked
 * in mbufs with DPDK's crc32c, which xbfront (Xen libraries only) has not.
 */

#ifndef TL_FRAME_H
#define TL_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define TL_ETHERTYPE_TEST	0x88b5		/* IEEE local experimental */
#define TL_FRAME_MAGIC		0x58545031u	/* "XTP1" */
#define TL_HDR_LEN		12
#define TL_MAX_FRAME		65535u

enum tl_l3 { TL_L3_RAW, TL_L3_IPV4, TL_L3_IPV6 };

struct tl_frame {
	uint8_t dst[6];
	uint8_t src[6];
	enum tl_l3 l3;
	bool tcp;		/* IP frames: TCP, else UDP */
	bool partial;		/* L4 checksum: the pseudo-header sum, as a
				 * sender leaves it for checksum offload;
				 * else the complete checksum */
	uint8_t queue;
	uint8_t kind;
	uint32_t seq;
	uint32_t len;		/* whole frame, Ethernet header on */
};

/*
 * Write the frame @fr describes into @f (fr->len bytes). Returns the
 * offset of the L4 checksum field, 0 for a raw frame.
 */
uint32_t tl_frame_build(uint8_t *f, const struct tl_frame *fr);

/*
 * Read the shape and test header of the @len bytes at @f into @fr
 * (fr->len is the length the header claims, fr->partial is not known).
 * Returns the offset of the test header, 0 if this is no test frame.
 */
uint32_t tl_frame_parse(const uint8_t *f, uint32_t len, struct tl_frame *fr);

/* Whether the L4 checksum of an IP frame is complete and correct. */
bool tl_frame_l4_csum_ok(const uint8_t *f, uint32_t len);

#endif /* TL_FRAME_H */
