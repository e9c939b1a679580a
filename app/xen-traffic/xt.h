/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xen-traffic: a traffic generator and verifier for any DPDK ethdev port.
 *
 * Definitions shared by the pieces of the program:
 *   xt_opts.c   command line (after the EAL's "--")
 *   xt_frame.c  test frame layout: build, check, payload checksum
 *   xt_seq.c    per-stream sequence tracking (loss, duplicates, reordering)
 *   xt_report.c per-second report and final summary (text, key=value, JSON)
 *   xt_pcap.c   --pcap: received frames to a libpcap file
 *   xt_main.c   EAL, port and mempool set-up, the polling loop, teardown
 */

#ifndef XT_H
#define XT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/* Test frame: Ethernet / IPv4 (20 B, no options) / UDP / struct xt_hdr / payload. */
#define XT_L2L3L4_LEN	(RTE_ETHER_HDR_LEN + 20 + 8)	/* 42 */
#define XT_HDR_LEN	20				/* sizeof(struct xt_hdr) */
#define XT_MIN_FRAME	(XT_L2L3L4_LEN + XT_HDR_LEN)	/* 62 */
#define XT_MAX_FRAME	9018				/* 9000 B MTU + Ethernet + VLAN tag room */
#define XT_MAGIC	0x58544731u			/* "XTG1" */

/* Limits of the command line. */
#define XT_MAX_SIZES	16	/* distinct frame sizes in one --size spec */
#define XT_MAX_SCHED	1024	/* length of the size schedule (sum of weights) */
#define XT_MAX_QUEUES	16
#define XT_MAX_BURST	512
#define XT_MAX_STREAMS	256	/* stream ids are 0..255 */
#define XT_MAX_PORTS	8	/* --port given several times: one lcore each */

/*
 * Payload pattern: the payload of the frame with sequence number s is the
 * pattern slice starting at xt_pattern_off(stream, s), so consecutive frames
 * of one length carry different bytes and a stale or misplaced page shows up
 * as a checksum error, not as a valid frame.
 */
#define XT_PATTERN_SPAN	1024

/*
 * The test header, right after the UDP header. All fields big-endian.
 * csum = crc32c(magic..seq, 16 B) XOR crc32c(payload after this header), both
 * with seed XT_CRC_SEED, so it covers the header fields and every payload byte.
 */
struct xt_hdr {
	rte_be32_t magic;	/* XT_MAGIC */
	rte_be16_t stream;	/* stream id: one per sending queue */
	rte_be16_t len;		/* frame length, Ethernet header to end, no FCS */
	rte_be64_t seq;		/* sequence number within the stream, from 0 */
	rte_be32_t csum;
} __rte_packed;

#define XT_CRC_SEED	0xffffffffu

/*
 * Enumerations whose values have names in the output or on the command line
 * list each value once, X(KIND, ID, name): XT_ENUM makes the enumerator
 * XT_KIND_ID, XT_NAME the entry "name" of a table of names indexed by it.
 */
#define XT_ENUM(kind, id, name) XT_ ## kind ## _ ## id,
#define XT_NAME(kind, id, name) [XT_ ## kind ## _ ## id] = #name,

#define XT_MODES(X)							\
	X(MODE, GEN, gen)		/* send only */			\
	X(MODE, SINK, sink)		/* receive and verify only */	\
	X(MODE, REFLECT, reflect)	/* swap MACs, send each back */	\
	X(MODE, BIDIR, bidir)		/* send own stream(s), verify the peer's */ \
	X(MODE, PING, ping)		/* one frame at a time to a reflector: RTT */

enum xt_mode { XT_MODES(XT_ENUM) };

/* Everything the command line sets. Times are in seconds. */
struct xt_config {
	const char *port_arg;		/* --port: id or device name; NULL = first port */
	const char *port_args[XT_MAX_PORTS];	/* every --port, in order */
	unsigned int nb_ports;		/* --port options given (0: the first port) */
	enum xt_mode mode;
	uint16_t sizes[XT_MAX_SIZES];	/* distinct frame sizes */
	unsigned int nb_sizes;
	uint8_t sched[XT_MAX_SCHED];	/* index into sizes[] for each slot */
	unsigned int sched_len;
	uint16_t max_size;
	uint64_t rate;			/* packets/s over all queues; 0 = as fast as possible */
	double duration;		/* 0 = no limit */
	uint64_t count;			/* sequence numbers to send; 0 = no limit */
	uint64_t expect;		/* unique frames expected from the peer; 0 = unknown */
	double drain;			/* keep receiving until idle this long after the end */
	double idle;			/* sink/reflect: stop when idle this long; 0 = off */
	double timeout;			/* hard bound on the whole run; 0 = none */
	double wait_link;		/* wait up to this long for link up; 0 = do not wait */
	double report;			/* report interval; 0 = no per-interval lines */
	uint16_t queues;
	uint16_t burst;
	uint16_t rxd;
	uint16_t txd;
	uint32_t nb_mbufs;		/* 0 = computed */
	uint16_t mbuf_size;		/* buffer size including headroom */
	uint16_t stream_base;
	struct rte_ether_addr dst_mac;
	bool dst_mac_set;
	rte_be32_t src_ip;
	rte_be32_t dst_ip;
	uint16_t udp_port;		/* destination UDP port that marks test frames */
	uint32_t tx_retries;		/* 0 = retry a full tx ring forever */
	uint32_t rx_pause_us;		/* --rx-pause: stall the loop this long; 0 = never */
	double rx_pause_every;		/* --rx-pause-every: between stalls, from the first frame */
	double ping_timeout;		/* --ping-timeout: a ping not back by then is lost */
	bool promisc;
	const char *summary_path;
	const char *pcap_path;		/* --pcap: received frames to this file */
	const char *tx_pool;		/* --tx-pool: a mempool's name, or "auto" */
	/* Fault injection on the first stream, for testing the verifier. */
	uint64_t inject_drop;
	uint64_t inject_corrupt;
	uint64_t inject_dup;
	uint64_t inject_reorder;
	uint64_t inject_interval;
};

/* Why the run ended. */
#define XT_STOPS(X)							\
	X(STOP, NONE, none)						\
	X(STOP, DONE, done)	/* sending finished (count/duration), drained */ \
	X(STOP, EXPECT, expect)	/* the expected frames arrived (then drained) */ \
	X(STOP, DURATION, duration)					\
	X(STOP, IDLE, idle)						\
	X(STOP, SIGNAL, signal)						\
	X(STOP, TIMEOUT, timeout)

enum xt_stop { XT_STOPS(XT_ENUM) };

/* Transmit-side counters (over all queues). */
struct xt_tx_stats {
	uint64_t packets;	/* frames the PMD accepted */
	uint64_t bytes;
	uint64_t full;		/* tx bursts that the PMD accepted only in part */
	uint64_t dropped;	/* frames freed after --tx-retries failed bursts */
	uint64_t unsent;	/* frames still pending when the port was stopped */
	uint64_t nombuf;	/* bursts not built for lack of mbufs */
	uint64_t inj_drop;
	uint64_t inj_corrupt;
	uint64_t inj_dup;
	uint64_t inj_reorder;
};

/* Receive-side counters (over all queues and streams). */
struct xt_rx_stats {
	uint64_t packets;	/* every frame received */
	uint64_t bytes;
	uint64_t valid;		/* test frames that passed every check */
	uint64_t other;		/* frames that are not test frames */
	uint64_t bad_len;	/* test frames whose IP/UDP/header length is wrong */
	uint64_t bad_magic;
	uint64_t bad_csum;	/* IPv4 header checksum or payload crc32c */
	uint64_t bad_stream;	/* stream id out of range */
	uint64_t lost;		/* sequence numbers skipped and not (yet) seen */
	uint64_t dup;
	uint64_t reordered;	/* arrived after a later sequence number */
	uint64_t late;		/* older than the tracking window: cannot classify */
};

static inline uint64_t
xt_rx_corrupted(const struct xt_rx_stats *s)
{
	return s->bad_len + s->bad_magic + s->bad_csum + s->bad_stream;
}

/* Port counters the PMD keeps (rte_eth_stats). */
struct xt_port_stats {
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;
};

/* xt_opts.c */
int xt_parse_args(int argc, char **argv, struct xt_config *cfg);
const char *xt_mode_name(enum xt_mode mode);

/* xt_frame.c */

/* One frame size: its payload crc32c for each pattern offset. */
struct xt_size {
	uint16_t size;
	uint32_t pcrc[XT_PATTERN_SPAN];
};

/* Headers of one (stream, size): lengths and IPv4 checksum filled in. */
struct xt_tmpl {
	const struct xt_size *sz;
	uint16_t stream;
	uint8_t hdr[XT_MIN_FRAME];	/* Ethernet/IPv4/UDP/xt_hdr, seq and csum zero */
};

/* The fields a received test frame carried. */
struct xt_rx_frame {
	uint16_t stream;
	uint64_t seq;
};

enum xt_verdict {
	XT_FRAME_OK,
	XT_FRAME_OTHER,
	XT_FRAME_BAD_LEN,
	XT_FRAME_BAD_MAGIC,
	XT_FRAME_BAD_CSUM,
	XT_FRAME_BAD_STREAM,
};

void xt_frame_init(void);
void xt_size_init(struct xt_size *sz, uint16_t size);
void xt_tmpl_init(struct xt_tmpl *t, const struct xt_size *sz,
		  const struct xt_config *cfg, const struct rte_ether_addr *src_mac,
		  uint16_t stream);
uint16_t xt_frame_nb_segs(uint16_t size, uint16_t seg_room);
struct rte_mbuf *xt_frame_write(struct rte_mbuf **segs, uint16_t seg_room,
				const struct xt_tmpl *t, uint64_t seq);
void xt_frame_corrupt(struct rte_mbuf *m);
enum xt_verdict xt_frame_check(const struct rte_mbuf *m, uint16_t udp_port,
			       struct xt_rx_frame *f);
uint32_t xt_crc32c(const void *data, uint32_t len, uint32_t crc);

/* xt_pcap.c: --pcap, a classic libpcap file of what a port receives */
struct xt_pcap;
int xt_pcap_open(const char *path, struct xt_pcap **out);
void xt_pcap_write(struct xt_pcap *p, struct rte_mbuf **pkts, uint16_t n);
int xt_pcap_close(struct xt_pcap *p, const char *path);

/* xt_seq.c */
struct xt_seq_table;
struct xt_seq_table *xt_seq_create(void);
void xt_seq_destroy(struct xt_seq_table *t);
int xt_seq_rx(struct xt_seq_table *t, uint16_t stream, uint64_t seq,
	      struct xt_rx_stats *st);
uint64_t xt_seq_span(const struct xt_seq_table *t);

/* xt_report.c */
struct xt_report_state {
	uint64_t tsc;
	struct xt_tx_stats tx;
	struct xt_rx_stats rx;
	struct xt_port_stats port;
};

struct xt_result {
	const struct xt_config *cfg;
	uint16_t port_id;
	const char *port_name;
	enum xt_stop stop;
	double elapsed;		/* whole run, from start of traffic */
	double tx_time;		/* first to last frame sent */
	double rx_time;		/* first to last frame received */
	struct xt_tx_stats tx;
	struct xt_rx_stats rx;
	struct xt_port_stats port;
	uint64_t rx_unique;
	uint64_t rx_missing;	/* tail not received of --expect */
	double rx_max_gap;	/* longest time between two receptions */
	uint64_t rx_pauses;	/* --rx-pause stalls taken */
	int64_t leaked_mbufs;	/* -1: not measured */
	/* --mode ping: round trips, in microseconds (nearest-rank percentiles). */
	uint64_t ping_sent;	/* pings sent */
	uint64_t rtt_count;	/* pings that came back in time */
	uint64_t ping_lost;	/* pings not back within --ping-timeout */
	uint64_t ping_stale;	/* replies of an earlier (lost) ping, ignored */
	double rtt_min_us, rtt_p50_us, rtt_p99_us, rtt_max_us, rtt_mean_us;
	/*
	 * The port's xstats as they were when the traffic ended (before the
	 * port stopped), for scripts: in the JSON summary only. Owned by the
	 * port's context; nxstats 0 if the driver gave none.
	 */
	const struct rte_eth_xstat_name *xstat_names;
	const uint64_t *xstat_values;
	unsigned int nxstats;
	bool pass;
};

void xt_report_line(FILE *out, const char *prefix, const struct xt_config *cfg,
		    double t,
		    const struct xt_report_state *prev,
		    const struct xt_report_state *cur, uint64_t hz);
void xt_summary_print(FILE *out, const struct xt_result *r);
int xt_summary_json(FILE *out, const struct xt_result *r, unsigned int n);
const char *xt_stop_name(enum xt_stop stop);

#endif /* XT_H */
