/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_rss: the tests' own reference of netif's Toeplitz hash input (the
 * order of Microsoft's RSS, which netif.h adopts), written apart from the
 * drivers' xenpv_netif_hash_input: source address, destination address,
 * then, for the TCP hash types, source port and destination port, all
 * big-endian. The Microsoft verification vectors in
 * drivers/common/xen/test_xenpv_netif.c pin it; test/pair/xenrss.c hashes
 * what it expects from it. Header only, no DPDK and no Xen.
 */

#ifndef TL_RSS_H
#define TL_RSS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The longest input: two IPv6 addresses and two ports. */
#define TL_RSS_INPUT_MAX	36

/*
 * Write the hash input of a flow (IPv6 if @v6, else IPv4; @src and @dst
 * its addresses, 16 or 4 octets; @sport and @dport its ports) into @in
 * (TL_RSS_INPUT_MAX octets). Returns the length of the address pair: the
 * input of the address hash types; with the ports, 4 octets more.
 */
static inline unsigned int
tl_rss_input(uint8_t *in, bool v6, const uint8_t *src, const uint8_t *dst,
	     uint16_t sport, uint16_t dport)
{
	unsigned int al = v6 ? 16 : 4;

	memcpy(in, src, al);
	memcpy(in + al, dst, al);
	in[2 * al] = (uint8_t)(sport >> 8);
	in[2 * al + 1] = (uint8_t)sport;
	in[2 * al + 2] = (uint8_t)(dport >> 8);
	in[2 * al + 3] = (uint8_t)dport;
	return 2 * al;
}

#endif /* TL_RSS_H */
