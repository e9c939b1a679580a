/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * --pcap FILE: every frame received written to a capture file in the
 * classic libpcap format (what tcpdump -r, tshark and Wireshark read):
 * a 24-byte file header, then for each frame a 16-byte record header and
 * the frame's bytes, all in host byte order (the magic tells a reader
 * which). The nanosecond variant of the format (magic 0xa1b23c4d) is used,
 * link type Ethernet. Frames are written through stdio's buffer by the lcore
 * that receives them: a capture costs a copy per frame, so the rates it
 * records are not line rates.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>

#include "xt.h"

#define XT_PCAP_MAGIC_NS	0xa1b23c4du
#define XT_PCAP_LINKTYPE_ETH	1u
/* Larger than any frame a port hands us (an LRO frame is below 64 KiB). */
#define XT_PCAP_SNAPLEN		262144u
#define XT_PCAP_BUF		(1u << 20)

struct xt_pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct xt_pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_nsec;
	uint32_t incl_len;
	uint32_t orig_len;
};

struct xt_pcap {
	FILE *f;
	char *buf;		/* stdio's buffer */
	uint64_t frames;	/* records written */
	bool failed;		/* a write failed: the file is incomplete */
};

int
xt_pcap_open(const char *path, struct xt_pcap **out)
{
	const struct xt_pcap_file_hdr h = {
		.magic = XT_PCAP_MAGIC_NS,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = XT_PCAP_SNAPLEN,
		.linktype = XT_PCAP_LINKTYPE_ETH,
	};
	struct xt_pcap *p;
	int err;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->buf = malloc(XT_PCAP_BUF);
	p->f = fopen(path, "wb");
	if (p->f == NULL || p->buf == NULL) {
		err = p->f == NULL ? errno : ENOMEM;
		fprintf(stderr, "xen-traffic: --pcap '%s': %s\n", path,
			strerror(err));
		if (p->f != NULL)
			fclose(p->f);
		free(p->buf);
		free(p);
		return -err;
	}
	setvbuf(p->f, p->buf, _IOFBF, XT_PCAP_BUF);
	if (fwrite(&h, sizeof(h), 1, p->f) != 1)
		p->failed = true;
	*out = p;
	return 0;
}

void
xt_pcap_write(struct xt_pcap *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct timespec ts;
	uint16_t i;

	if (p->failed)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *seg;
		struct xt_pcap_rec_hdr r = {
			.ts_sec = (uint32_t)ts.tv_sec,
			.ts_nsec = (uint32_t)ts.tv_nsec,
			.orig_len = pkts[i]->pkt_len,
		};
		uint32_t left;

		r.incl_len = RTE_MIN(r.orig_len, XT_PCAP_SNAPLEN);
		if (fwrite(&r, sizeof(r), 1, p->f) != 1)
			goto fail;
		left = r.incl_len;
		for (seg = pkts[i]; seg != NULL && left > 0; seg = seg->next) {
			uint32_t len = RTE_MIN((uint32_t)seg->data_len, left);

			if (len > 0 &&
			    fwrite(rte_pktmbuf_mtod(seg, const void *), len, 1,
				   p->f) != 1)
				goto fail;
			left -= len;
		}
		/* a chain shorter than its pkt_len: pad what the header said */
		for (; left > 0; left--)
			if (fputc(0, p->f) == EOF)
				goto fail;
		p->frames++;
	}
	return;
fail:
	p->failed = true;
}

int
xt_pcap_close(struct xt_pcap *p, const char *path)
{
	int rc = 0;

	if (p == NULL)
		return 0;
	if (fclose(p->f) != 0 || p->failed) {
		fprintf(stderr, "xen-traffic: --pcap '%s': write failed after %" PRIu64 " frames\n",
			path, p->frames);
		rc = -EIO;
	} else {
		printf("xen-traffic: %" PRIu64 " frames written to %s\n",
		       p->frames, path);
	}
	free(p->buf);
	free(p);
	return rc;
}
