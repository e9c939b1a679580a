#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of fuzz_xenback_tx (fuzz_xenback_tx_pgnt and
fuzz_xenback_tx_zc take the same), fuzz_xenback_rx and fuzz_xenback_rx_pgnt.

Valid traffic in each harness's input format (see the comment at the top of
fuzz_xenback_tx.c and fuzz_xenback_rx.c): single-slot and multi-slot
packets, a GSO packet with its extra, blank checksums, a ring index about
to wrap, buffers posted in two steps; for fuzz_xenback_rx_pgnt the rx seeds
with the widest bound, and a guest that names refs beyond a small bound,
repeats refs, names a read-only page or an unknown ref.
Usage: xenback_seeds.py [TEST_FUZZ_DIR]
"""

import os
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(payload_len, proto=6):
    """Ethernet + IPv4 + TCP (or UDP) frame with valid IP header."""
    l4 = 20 if proto == 6 else 8
    total = 20 + l4 + payload_len
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 1, 0x4000, 64, proto,
                     0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    if proto == 6:
        hdr = struct.pack('!HHIIBBHHH', 1234, 80, 1, 0, 5 << 4, 0x18,
                          65535, 0, 0)
    else:
        hdr = struct.pack('!HHHH', 1234, 53, 8 + payload_len, 0)
    eth = bytes(6 * [0x02]) + bytes(6 * [0x04]) + b'\x08\x00'
    return eth + ip + hdr + bytes((i * 7) & 0xff for i in range(payload_len))


# --- fuzz_xenback_tx: requests of 12 bytes (gref, offset, flags, id, size)
TXF_CSUM_BLANK, TXF_VALIDATED, TXF_MORE, TXF_EXTRA = 1, 2, 4, 8


def txreq(page, off, flags, rid, size):
    return struct.pack('<IHHHH', page, off, flags, rid, size)


def gso_extra(mss, v6=False):
    # struct netif_extra_info: type GSO (1), flags, size, type, pad, features
    return struct.pack('<BBHBBH', 1, 0, mss, 2 if v6 else 1, 0, 0) + \
        bytes(4)


def tx_input(settings, reqs, stream, split=0, extra=0, rsp_event=1, start=0):
    return bytes([settings, split, extra, rsp_event]) + \
        struct.pack('<I', start) + bytes([len(reqs)]) + b''.join(reqs) + \
        stream


# settings: scatter | lro | csum offload | sg | burst 32 (2 << 5)
ALL = 0x0f | 2 << 5


def tx_seeds():
    f60 = frame(60 - 54)
    big = frame(2946)            # 3000 bytes
    yield 'single_slot', tx_input(ALL, [txreq(0, 0, 0, 1, 60)], f60)
    # first slot: the frame's first 1000 bytes on page 0; then 1000 bytes
    # of page 1 from 100, 1000 of page 2
    yield 'three_slots', tx_input(ALL, [
        txreq(0, 0, TXF_MORE, 1, 3000), txreq(1, 100, TXF_MORE, 2, 1000),
        txreq(2, 0, 0, 3, 1000)], big)
    yield 'gso_tcpv4', tx_input(ALL, [
        txreq(0, 0, TXF_EXTRA | TXF_MORE | TXF_CSUM_BLANK |
              TXF_VALIDATED, 1, 3000),
        gso_extra(1448), txreq(1, 0, TXF_MORE, 2, 1000),
        txreq(2, 0, 0, 3, 1000)], big)
    # a blank UDP checksum that the driver completes (no csum offload)
    yield 'csum_blank_sw', tx_input(0x08 | 2 << 5, [
        txreq(0, 0, TXF_CSUM_BLANK | TXF_VALIDATED, 1, 100)],
        frame(100 - 42, proto=17))
    # two packets, the second posted after a burst, at an index that wraps
    # an MTU of 1500 set: a 1600-byte frame is dropped, a 1514 one taken
    yield 'mtu_1500', tx_input(ALL | 0x80, [
        txreq(0, 0, 0, 1, 1600), txreq(0, 0, 0, 2, 1514)], frame(1460))
    yield 'split_wrap', tx_input(ALL, [
        txreq(0, 0, 0, 1, 60), txreq(3, 0, TXF_MORE, 2, 120),
        txreq(4, 0, 0, 3, 60)], f60 + frame(60), split=2,
        start=0xfffffffe)


# --- fuzz_xenback_rx: buffers of 8 bytes (id, pad, gref), then packets
def rxreq(rid, page):
    return struct.pack('<HHI', rid, 0, page)


OL_TSO, OL_V4, OL_V6, OL_IPCK = 1, 2, 4, 8
OL_TCPCK, OL_UDPCK = 1 << 4, 3 << 4


def pkt(length, segs, ol, l2=0, l3=0, l4=0, mss8=0):
    return struct.pack('<HBBBBBB', length % 65536, segs, ol, l2, l3, l4,
                       mss8)


def rx_input(features, nbufs, pkts, stream, split=0, extra=0, rsp_event=1,
             start=0, pgnt=None, pages=None):
    """pgnt: fuzz_xenback_rx_pgnt's byte 9 (its bound), None for fuzz_xenback_rx;
    pages: the page (or raw gref) of each buffer, default buffer i on page i."""
    pages = pages if pages is not None else list(range(nbufs))
    return bytes([features, split, extra, rsp_event]) + \
        struct.pack('<I', start) + bytes([len(pages)]) + \
        (bytes([pgnt]) if pgnt is not None else b'') + \
        b''.join(rxreq(0x100 + i, g) for i, g in enumerate(pages)) + \
        bytes([len(pkts)]) + b''.join(pkts) + stream


# features: sg, gso v4/v6, csum, ipv6 csum; our csum, our sg
FE_ALL = 0x7f


def rx_seeds():
    f60 = frame(6)
    yield 'single_buffer', rx_input(FE_ALL, 4, [pkt(60, 0, 0)], f60)
    yield 'multi_buffer', rx_input(FE_ALL, 8, [pkt(9000, 2, 0)], f60)
    yield 'tso_tcpv4', rx_input(FE_ALL, 16, [
        pkt(20000, 0x80 | 4, OL_TSO | OL_V4 | OL_TCPCK | OL_IPCK, 14, 20, 20,
            1448 // 8)], frame(1000))
    # checksums the guest does not take blank: computed by the driver
    yield 'csum_sw', rx_input(0x41, 4, [
        pkt(100, 1, OL_V4 | OL_UDPCK | OL_IPCK, 14, 20, 8)],
        frame(58, proto=17))
    # too few buffers at first: the packet waits for the second posting
    yield 'few_buffers', rx_input(FE_ALL, 6, [pkt(60, 0, 0),
                                              pkt(6000, 1, 0)], f60,
                                  split=2, start=0xfffffffc)


# fuzz_xenback_rx_pgnt's bound byte b: XENPV_NETIF_PGNT_MAX(b % 16 + 1) refs
PGNT_WIDE, PGNT_18 = 15, 0


def rx_pgnt_seeds():
    """The rx seeds within the widest bound (288 refs), then hostile guests."""
    f60 = frame(6)
    for name, data in rx_seeds():
        yield name, data[:9] + bytes([PGNT_WIDE]) + data[9:]
    # 12 packets of 9000 B on 36 distinct pages, a bound of 18: the 19th
    # ref breaks the promise (the rest of its burst fails)
    yield 'beyond_bound', rx_input(FE_ALL, 36, [pkt(9000, 2, 0)] * 12, f60,
                                   pgnt=PGNT_18)
    # 36 buffers on 6 pages, each named 6 times: within a bound of 18
    yield 'repeated_refs', rx_input(FE_ALL, 36, [pkt(9000, 2, 0)] * 12, f60,
                                    pgnt=PGNT_18,
                                    pages=[i % 6 for i in range(36)])
    # a read-only page (the guest's last 8) and a ref it never granted,
    # each in the second packet: they cannot be mapped writable
    yield 'read_only_ref', rx_input(FE_ALL, 2, [pkt(60, 0, 0)] * 2, f60,
                                    pgnt=PGNT_WIDE, pages=[0, 250])
    yield 'unknown_ref', rx_input(FE_ALL, 2, [pkt(60, 0, 0)] * 2, f60,
                                  pgnt=PGNT_WIDE, pages=[0, 0x12345])


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
    for h, seeds in (('xenback_tx', tx_seeds), ('xenback_tx_pgnt', tx_seeds),
                     ('xenback_tx_zc', tx_seeds), ('xenback_rx', rx_seeds),
                     ('xenback_rx_pgnt', rx_pgnt_seeds)):
        d = os.path.join(top, h, 'corpus')
        os.makedirs(d, exist_ok=True)
        for name, data in seeds():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
