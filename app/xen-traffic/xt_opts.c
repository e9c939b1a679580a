/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The application's command line: the arguments after the EAL's "--".
 * Every value is range-checked; a bad one is reported with the option name
 * and gives -EINVAL, so main() exits non-zero before touching a port.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "optab.h"
#include "xt.h"

/* IMIX as 64/594/1518 B frames in the 7:4:1 ratio of the "simple IMIX". */
#define XT_IMIX_SPEC	"64:7,594:4,1518:1"

/* The options, in the order of xt_opts[]: an option's row is its XT_OPT_*. */
enum {
	XT_OPT_HELP,
	XT_OPT_PORT,
	XT_OPT_MODE,
	XT_OPT_SIZE,
	XT_OPT_RATE,
	XT_OPT_DURATION,
	XT_OPT_COUNT,
	XT_OPT_EXPECT,
	XT_OPT_DRAIN,
	XT_OPT_IDLE,
	XT_OPT_TIMEOUT,
	XT_OPT_WAIT_LINK,
	XT_OPT_REPORT,
	XT_OPT_QUEUES,
	XT_OPT_BURST,
	XT_OPT_RXD,
	XT_OPT_TXD,
	XT_OPT_MBUFS,
	XT_OPT_MBUF_SIZE,
	XT_OPT_STREAM,
	XT_OPT_DST_MAC,
	XT_OPT_SRC_IP,
	XT_OPT_DST_IP,
	XT_OPT_UDP_PORT,
	XT_OPT_TX_RETRIES,
	XT_OPT_RX_PAUSE,
	XT_OPT_RX_PAUSE_EVERY,
	XT_OPT_PING_TIMEOUT,
	XT_OPT_NO_PROMISC,
	XT_OPT_SUMMARY,
	XT_OPT_PCAP,
	XT_OPT_TX_POOL,
	XT_OPT_INJ_DROP,
	XT_OPT_INJ_CORRUPT,
	XT_OPT_INJ_DUP,
	XT_OPT_INJ_REORDER,
	XT_OPT_INJ_INTERVAL,
};

static const struct optab_row xt_opts[] = {
	[XT_OPT_HELP] = { "help", 'h', false },
	[XT_OPT_PORT] = { "port", 0, true },
	[XT_OPT_MODE] = { "mode", 0, true },
	[XT_OPT_SIZE] = { "size", 0, true },
	[XT_OPT_RATE] = { "rate", 0, true },
	[XT_OPT_DURATION] = { "duration", 0, true },
	[XT_OPT_COUNT] = { "count", 0, true },
	[XT_OPT_EXPECT] = { "expect", 0, true },
	[XT_OPT_DRAIN] = { "drain", 0, true },
	[XT_OPT_IDLE] = { "idle", 0, true },
	[XT_OPT_TIMEOUT] = { "timeout", 0, true },
	[XT_OPT_WAIT_LINK] = { "wait-link", 0, true },
	[XT_OPT_REPORT] = { "report", 0, true },
	[XT_OPT_QUEUES] = { "queues", 0, true },
	[XT_OPT_BURST] = { "burst", 0, true },
	[XT_OPT_RXD] = { "rxd", 0, true },
	[XT_OPT_TXD] = { "txd", 0, true },
	[XT_OPT_MBUFS] = { "mbufs", 0, true },
	[XT_OPT_MBUF_SIZE] = { "mbuf-size", 0, true },
	[XT_OPT_STREAM] = { "stream", 0, true },
	[XT_OPT_DST_MAC] = { "dst-mac", 0, true },
	[XT_OPT_SRC_IP] = { "src-ip", 0, true },
	[XT_OPT_DST_IP] = { "dst-ip", 0, true },
	[XT_OPT_UDP_PORT] = { "udp-port", 0, true },
	[XT_OPT_TX_RETRIES] = { "tx-retries", 0, true },
	[XT_OPT_RX_PAUSE] = { "rx-pause", 0, true },
	[XT_OPT_RX_PAUSE_EVERY] = { "rx-pause-every", 0, true },
	[XT_OPT_PING_TIMEOUT] = { "ping-timeout", 0, true },
	[XT_OPT_NO_PROMISC] = { "no-promisc", 0, false },
	[XT_OPT_SUMMARY] = { "summary", 0, true },
	[XT_OPT_PCAP] = { "pcap", 0, true },
	[XT_OPT_TX_POOL] = { "tx-pool", 0, true },
	[XT_OPT_INJ_DROP] = { "inject-drop", 0, true },
	[XT_OPT_INJ_CORRUPT] = { "inject-corrupt", 0, true },
	[XT_OPT_INJ_DUP] = { "inject-dup", 0, true },
	[XT_OPT_INJ_REORDER] = { "inject-reorder", 0, true },
	[XT_OPT_INJ_INTERVAL] = { "inject-interval", 0, true },
};

static const char *const xt_mode_names[] = { XT_MODES(XT_NAME) };

const char *
xt_mode_name(enum xt_mode mode)
{
	return xt_mode_names[mode];
}

static void
xt_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
"Generate, reflect or verify sequence-numbered test frames on one ethdev port.\n"
"\n"
"  --port ID|NAME      port id or device name (default: the first port); given\n"
"                      up to %u times, each port runs on its own lcore (-l)\n"
"                      and sends streams N + port index * queues\n"
"  --mode MODE         gen: send; sink: receive and verify; reflect: swap MACs\n"
"                      and send back; bidir: send and verify (default bidir);\n"
"                      ping: send one frame, wait for a reflect peer to return\n"
"                      it, time the round trip; paced by --rate, one queue\n"
"  --size SPEC         frame size(s) in bytes, no FCS, %u..%u: N, a list\n"
"                      N[:WEIGHT],..., or imix (" XT_IMIX_SPEC "); default 64.\n"
"                      Receivers use the largest to set the MTU\n"
"  --rate PPS          packets/s over all queues, k/M/G suffix; 0 = line rate\n"
"  --duration SEC      send (gen, bidir) or run (sink, reflect) for SEC\n"
"  --count N           sequence numbers to send over all queues (k/M/G)\n"
"  --expect N          frames expected from the peer; the rest count as lost\n"
"  --drain SEC         after the end, receive until idle for SEC (default 1)\n"
"  --idle SEC          sink, reflect: stop after SEC without a frame (default off)\n"
"  --timeout SEC       hard limit on the run; reaching it fails (default none)\n"
"  --wait-link SEC     wait up to SEC for link up before traffic (default: no wait)\n"
"  --report SEC        interval of the report lines, 0 = none (default 1)\n"
"  --queues N          rx and tx queues, polled round-robin (1..%u, default 1)\n"
"  --burst N           frames per burst (1..%u, default 32)\n"
"  --rxd N, --txd N    descriptors per rx/tx queue (default 1024)\n"
"  --mbufs N           mbufs in the pool (default: computed)\n"
"  --mbuf-size N       mbuf buffer size incl. %u B headroom (default %u);\n"
"                      larger frames are sent as chains of segments\n"
"  --stream N          stream id of queue 0; queue q sends stream N+q (default 0)\n"
"  --dst-mac MAC       destination MAC (default ff:ff:ff:ff:ff:ff)\n"
"  --src-ip IP, --dst-ip IP   (default 198.18.0.1 -> 198.18.0.2)\n"
"  --udp-port N        UDP destination port marking test frames (default 9)\n"
"  --tx-retries N      drop a burst after N failed tx attempts; 0 = retry\n"
"                      until the run ends (default 0)\n"
"  --rx-pause US        sink, bidir, reflect: stop polling for US microseconds\n"
"                      (0..1000000) every --rx-pause-every SEC (default 0.1)\n"
"                      once traffic arrives, like a receiver busy elsewhere\n"
"  --ping-timeout SEC  ping: a frame not back after SEC is lost (default 0.2)\n"
"  --no-promisc        leave promiscuous mode off\n"
"  --summary PATH      write the summary as JSON to PATH\n"
"  --pcap FILE         write every frame received to FILE (libpcap format,\n"
"                      tcpdump -r reads it); one --port only\n"
"  --tx-pool NAME|auto send frames built in the mempool NAME (rte_mempool_lookup)\n"
"                      instead of the program's own; auto: net_xennet's granted\n"
"                      TX pool of the port (devarg tx_pool, xennet_tx_<port id>).\n"
"                      Its mbufs must all be back at the end (else: leaked)\n"
"  --inject-drop N     skip N sequence numbers on stream 0 (test of the verifier)\n"
"  --inject-corrupt N  corrupt N frames after checksumming\n"
"  --inject-dup N      send N frames twice\n"
"  --inject-reorder N  swap N pairs of consecutive frames\n"
"  --inject-interval M the i-th injection hits seq i*M (+2/+4/+6 for corrupt/\n"
"                      dup/reorder; M >= 16, default 101)\n"
"  -h, --help\n"
"\n"
"Exit status: 0 pass, 1 usage or set-up error, 2 verification failed (frames\n"
"lost, duplicated, reordered, late or corrupted; pings lost; mbufs leaked;\n"
"timeout).\n",
	       prog, XT_MAX_PORTS, XT_MIN_FRAME, XT_MAX_FRAME, XT_MAX_QUEUES, XT_MAX_BURST,
	       RTE_PKTMBUF_HEADROOM, RTE_MBUF_DEFAULT_BUF_SIZE);
}

static int
xt_bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "xen-traffic: --%s '%s': %s\n", opt, arg, why);
	return -EINVAL;
}

/* Unsigned decimal in [min, max], with an optional k/M/G multiplier. */
static int
xt_parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max,
	     bool suffix, uint64_t *out)
{
	switch (optab_uint(arg, min, max, suffix, out)) {
	case 0:
		return 0;
	case -EOVERFLOW:
		return xt_bad(opt, arg, "out of range");
	case -ERANGE:
		fprintf(stderr, "xen-traffic: --%s '%s': must be %" PRIu64 "..%"
			PRIu64 "\n", opt, arg, min, max);
		return -EINVAL;
	default:
		return xt_bad(opt, arg, "not a number");
	}
}

/* Seconds: a non-negative decimal, at most a day. */
static int
xt_parse_secs(const char *opt, const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v))
		return xt_bad(opt, arg, "not a number of seconds");
	if (v < 0 || v > 86400)
		return xt_bad(opt, arg, "must be 0..86400 seconds");
	*out = v;
	return 0;
}

static int
xt_parse_ip(const char *opt, const char *arg, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) != 1)
		return xt_bad(opt, arg, "not an IPv4 address");
	*out = a.s_addr;
	return 0;
}

/*
 * The options that set one field of the configuration, with what each
 * takes and its default (set by xt_defaults()): seconds, 0..86400 (a
 * double); an unsigned integer in [min, max], with a k/M/G multiplier if
 * suffix (a field of 2, 4 or 8 bytes); an IPv4 address; the argument
 * itself (a string); or, without an argument, false (a bool, default true).
 */
enum xt_arg { XT_ARG_SECS, XT_ARG_UINT, XT_ARG_IP, XT_ARG_STR, XT_ARG_OFF };

struct xt_field_opt {
	int opt;		/* XT_OPT_* */
	enum xt_arg arg;
	bool suffix;
	uint64_t min, max;
	double def;		/* SECS and UINT */
	size_t off;		/* of the field in struct xt_config */
	size_t size;		/* of the field */
};

#define XT_FIELD(f) offsetof(struct xt_config, f), \
	sizeof(((struct xt_config *)NULL)->f)
#define XT_SECS(o, def, f) { XT_OPT_ ## o, XT_ARG_SECS, false, 0, 0, def, \
	XT_FIELD(f) }
#define XT_UINT(o, sfx, lo, hi, def, f) \
	{ XT_OPT_ ## o, XT_ARG_UINT, sfx, lo, hi, def, XT_FIELD(f) }
#define XT_ARG(o, arg, f) { XT_OPT_ ## o, XT_ARG_ ## arg, false, 0, 0, 0, \
	XT_FIELD(f) }

static const struct xt_field_opt xt_field_opts[] = {
	XT_UINT(RATE, true, 0, UINT64_C(1) << 40, 0, rate),
	XT_SECS(DURATION, 0, duration),
	XT_UINT(COUNT, true, 1, UINT64_C(1) << 56, 0, count),
	XT_UINT(EXPECT, true, 1, UINT64_C(1) << 56, 0, expect),
	XT_SECS(DRAIN, 1, drain),
	XT_SECS(IDLE, 0, idle),
	XT_SECS(TIMEOUT, 0, timeout),
	XT_SECS(WAIT_LINK, 0, wait_link),
	XT_SECS(REPORT, 1, report),
	XT_UINT(QUEUES, false, 1, XT_MAX_QUEUES, 1, queues),
	XT_UINT(BURST, false, 1, XT_MAX_BURST, 32, burst),
	XT_UINT(RXD, false, 16, 32768, 1024, rxd),
	XT_UINT(TXD, false, 16, 32768, 1024, txd),
	XT_UINT(MBUFS, true, 1024, UINT32_MAX, 0, nb_mbufs),
	XT_UINT(MBUF_SIZE, false, 1, UINT16_MAX, RTE_MBUF_DEFAULT_BUF_SIZE,
		mbuf_size),
	XT_UINT(STREAM, false, 0, XT_MAX_STREAMS - 1, 0, stream_base),
	XT_ARG(SRC_IP, IP, src_ip),
	XT_ARG(DST_IP, IP, dst_ip),
	XT_UINT(UDP_PORT, false, 1, UINT16_MAX, 9, udp_port),
	XT_UINT(TX_RETRIES, false, 0, UINT32_MAX, 0, tx_retries),
	XT_UINT(RX_PAUSE, false, 0, 1000000, 0, rx_pause_us),
	XT_SECS(RX_PAUSE_EVERY, 0.1, rx_pause_every),
	XT_SECS(PING_TIMEOUT, 0.2, ping_timeout),
	XT_ARG(NO_PROMISC, OFF, promisc),
	XT_ARG(SUMMARY, STR, summary_path),
	XT_ARG(PCAP, STR, pcap_path),
	XT_ARG(TX_POOL, STR, tx_pool),
	XT_UINT(INJ_DROP, false, 0, UINT32_MAX, 0, inject_drop),
	XT_UINT(INJ_CORRUPT, false, 0, UINT32_MAX, 0, inject_corrupt),
	XT_UINT(INJ_DUP, false, 0, UINT32_MAX, 0, inject_dup),
	XT_UINT(INJ_REORDER, false, 0, UINT32_MAX, 0, inject_reorder),
	XT_UINT(INJ_INTERVAL, false, 16, UINT32_MAX, 101, inject_interval),
};

/* Store @v in an unsigned field of @size bytes. */
static void
xt_uint_set(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint16_t))
		*(uint16_t *)field = (uint16_t)v;
	else if (size == sizeof(uint32_t))
		*(uint32_t *)field = (uint32_t)v;
	else
		*(uint64_t *)field = v;
}

/* The field option @opt, or NULL if it is not one. */
static const struct xt_field_opt *
xt_field_find(int opt)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(xt_field_opts); i++)
		if (xt_field_opts[i].opt == opt)
			return &xt_field_opts[i];
	return NULL;
}

/* Set the field of @o from @arg (given as --@opt). */
static int
xt_field_parse(const struct xt_field_opt *o, const char *opt, const char *arg,
	       struct xt_config *cfg)
{
	void *field = (char *)cfg + o->off;
	uint64_t v;
	int ret;

	switch (o->arg) {
	case XT_ARG_SECS:
		return xt_parse_secs(opt, arg, field);
	case XT_ARG_IP:
		return xt_parse_ip(opt, arg, field);
	case XT_ARG_STR:
		*(const char **)field = arg;
		return 0;
	case XT_ARG_OFF:
		*(bool *)field = false;
		return 0;
	case XT_ARG_UINT:
		break;
	}
	ret = xt_parse_u64(opt, arg, o->min, o->max, o->suffix, &v);
	if (ret == 0)
		xt_uint_set(field, o->size, v);
	return ret;
}

/* Set the field of @o to its default. */
static void
xt_field_default(const struct xt_field_opt *o, struct xt_config *cfg)
{
	void *field = (char *)cfg + o->off;

	if (o->arg == XT_ARG_SECS)
		*(double *)field = o->def;
	else if (o->arg == XT_ARG_UINT)
		xt_uint_set(field, o->size, (uint64_t)o->def);
	else if (o->arg == XT_ARG_OFF)
		*(bool *)field = true;
}

/*
 * --size: "N", "N[:W],N[:W],..." or "imix". The schedule interleaves the
 * sizes by smooth weighted round robin, so a mix is even at every scale.
 */
static int
xt_parse_sizes(const char *arg, struct xt_config *cfg)
{
	const char *spec = strcmp(arg, "imix") == 0 ? XT_IMIX_SPEC : arg;
	uint32_t weight[XT_MAX_SIZES] = { 0 };
	int32_t cur[XT_MAX_SIZES] = { 0 };
	uint32_t total = 0;
	char buf[256];
	char *tok, *save = NULL;
	unsigned int i, k;

	if (strlen(spec) >= sizeof(buf))
		return xt_bad("size", arg, "too long");
	if (spec[0] == ',' || spec[0] == '\0' || spec[strlen(spec) - 1] == ',' ||
	    strstr(spec, ",,") != NULL)
		return xt_bad("size", arg, "empty size in the list");
	strcpy(buf, spec);
	cfg->nb_sizes = 0;
	cfg->max_size = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t size, w = 1;

		if (colon != NULL)
			*colon = '\0';
		if (xt_parse_u64("size", tok, XT_MIN_FRAME, XT_MAX_FRAME, false,
				 &size) != 0)
			return -EINVAL;
		if (colon != NULL &&
		    xt_parse_u64("size", colon + 1, 1, XT_MAX_SCHED, false, &w) != 0)
			return -EINVAL;
		for (i = 0; i < cfg->nb_sizes; i++)
			if (cfg->sizes[i] == size)
				break;
		if (i == cfg->nb_sizes) {
			if (cfg->nb_sizes == XT_MAX_SIZES)
				return xt_bad("size", arg, "too many distinct sizes");
			cfg->sizes[cfg->nb_sizes++] = (uint16_t)size;
		}
		weight[i] += (uint32_t)w;
		total += (uint32_t)w;
		if (total > XT_MAX_SCHED)
			return xt_bad("size", arg, "weights add up to more than 1024");
		cfg->max_size = RTE_MAX(cfg->max_size, (uint16_t)size);
	}
	if (cfg->nb_sizes == 0)
		return xt_bad("size", arg, "no size given");

	for (k = 0; k < total; k++) {
		unsigned int best = 0;

		for (i = 0; i < cfg->nb_sizes; i++) {
			cur[i] += (int32_t)weight[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= (int32_t)total;
		cfg->sched[k] = (uint8_t)best;
	}
	cfg->sched_len = total;
	return 0;
}

static void
xt_defaults(struct xt_config *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < RTE_DIM(xt_field_opts); i++)
		xt_field_default(&xt_field_opts[i], cfg);
	cfg->mode = XT_MODE_BIDIR;
	cfg->sizes[0] = 64;
	cfg->nb_sizes = 1;
	cfg->sched_len = 1;
	cfg->max_size = 64;
	/* 198.18.0.0/15 is for benchmarks (RFC 2544). Not RTE_IPV4: it shifts an int. */
	cfg->src_ip = rte_cpu_to_be_32(UINT32_C(198) << 24 | 18 << 16 | 1);
	cfg->dst_ip = rte_cpu_to_be_32(UINT32_C(198) << 24 | 18 << 16 | 2);
}

/* Cross-option checks, once everything is parsed. */
static int
xt_check(struct xt_config *cfg)
{
	bool sends = cfg->mode == XT_MODE_GEN || cfg->mode == XT_MODE_BIDIR ||
		     cfg->mode == XT_MODE_PING;
	bool verifies = cfg->mode == XT_MODE_SINK || cfg->mode == XT_MODE_BIDIR;
	uint64_t inj = cfg->inject_drop + cfg->inject_corrupt + cfg->inject_dup +
		       cfg->inject_reorder;
	uint64_t last;

	if (!sends && (cfg->count != 0 || cfg->rate != 0 || inj != 0)) {
		fprintf(stderr, "xen-traffic: --count, --rate and --inject-* need "
			"--mode gen, bidir or ping\n");
		return -EINVAL;
	}
	if (cfg->mode == XT_MODE_PING && (cfg->queues != 1 || inj != 0 ||
					  cfg->rx_pause_us != 0)) {
		fprintf(stderr, "xen-traffic: --mode ping: one queue, no --inject-* "
			"or --rx-pause\n");
		return -EINVAL;
	}
	if (cfg->mode == XT_MODE_PING && cfg->ping_timeout <= 0) {
		fprintf(stderr, "xen-traffic: --ping-timeout must be more than 0\n");
		return -EINVAL;
	}
	if (cfg->rate != 0 && cfg->rate < cfg->queues) {
		fprintf(stderr, "xen-traffic: --rate %" PRIu64 " is less than one "
			"packet per second per queue\n", cfg->rate);
		return -EINVAL;
	}
	if (cfg->pcap_path != NULL && cfg->nb_ports > 1) {
		fprintf(stderr, "xen-traffic: --pcap takes the frames of one port: give one --port\n");
		return -EINVAL;
	}
	if (cfg->tx_pool != NULL && cfg->nb_ports > 1) {
		fprintf(stderr, "xen-traffic: --tx-pool names one port's pool: give one --port\n");
		return -EINVAL;
	}
	if (cfg->pcap_path != NULL && cfg->mode == XT_MODE_GEN) {
		fprintf(stderr, "xen-traffic: --pcap records what is received: not with --mode gen\n");
		return -EINVAL;
	}
	if (cfg->rx_pause_us != 0 && cfg->mode == XT_MODE_GEN) {
		fprintf(stderr, "xen-traffic: --rx-pause stalls a receiver: not with --mode gen\n");
		return -EINVAL;
	}
	if (cfg->rx_pause_us != 0 && cfg->rx_pause_every * 1e6 <= cfg->rx_pause_us) {
		fprintf(stderr, "xen-traffic: --rx-pause-every %g s must be longer than "
			"--rx-pause %u us\n", cfg->rx_pause_every, cfg->rx_pause_us);
		return -EINVAL;
	}
	if (!verifies && cfg->expect != 0) {
		fprintf(stderr, "xen-traffic: --expect needs --mode sink or bidir\n");
		return -EINVAL;
	}
	if (cfg->idle > 0 && sends) {
		fprintf(stderr, "xen-traffic: --idle is for --mode sink or reflect "
			"(senders end by --count or --duration, then --drain)\n");
		return -EINVAL;
	}
	if ((unsigned int)cfg->stream_base +
	    cfg->queues * RTE_MAX(cfg->nb_ports, 1u) > XT_MAX_STREAMS) {
		fprintf(stderr, "xen-traffic: --stream %u with %u queues on %u "
			"port(s) exceeds stream id %u\n", cfg->stream_base,
			cfg->queues, RTE_MAX(cfg->nb_ports, 1u), XT_MAX_STREAMS - 1);
		return -EINVAL;
	}
	if (cfg->mbuf_size < RTE_PKTMBUF_HEADROOM + 128) {
		fprintf(stderr, "xen-traffic: --mbuf-size %u: must be at least %u\n",
			cfg->mbuf_size, RTE_PKTMBUF_HEADROOM + 128);
		return -EINVAL;
	}
	/* The injections of each kind must all land inside --count. */
	last = cfg->inject_drop * cfg->inject_interval;
	if (cfg->inject_corrupt != 0)
		last = RTE_MAX(last, cfg->inject_corrupt * cfg->inject_interval + 2);
	if (cfg->inject_dup != 0)
		last = RTE_MAX(last, cfg->inject_dup * cfg->inject_interval + 4);
	if (cfg->inject_reorder != 0)
		last = RTE_MAX(last, cfg->inject_reorder * cfg->inject_interval + 7);
	if (inj != 0 && cfg->count != 0 && last + 1 >= cfg->count) {
		fprintf(stderr, "xen-traffic: the injections reach seq %" PRIu64
			": --count must be more than %" PRIu64 "\n", last, last + 1);
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse the application arguments (argv[0] is the program name).
 * Returns 0, 1 when --help was printed, or -EINVAL.
 */
int
xt_parse_args(int argc, char **argv, struct xt_config *cfg)
{
	const char *prog = argc > 0 ? argv[0] : "xen-traffic";
	const struct xt_field_opt *fo;
	const char *arg;
	struct optab t;
	int opt, ret = 0;
	unsigned int i;

	xt_defaults(cfg);
	optab_init_rows(&t, OPTAB_QUIET, xt_opts, RTE_DIM(xt_opts));
	while (ret == 0 &&
	       (opt = optab_next(&t, argc, argv, &arg)) != OPTAB_END) {
		const char *name = opt >= 0 ? xt_opts[opt].name : NULL;

		switch (opt) {
		case XT_OPT_HELP:
			xt_usage(prog);
			return 1;
		case XT_OPT_PORT:
			if (cfg->nb_ports == XT_MAX_PORTS) {
				ret = xt_bad(name, arg, "at most "
					     RTE_STR(XT_MAX_PORTS) " ports");
				break;
			}
			cfg->port_args[cfg->nb_ports++] = arg;
			cfg->port_arg = cfg->port_args[0];
			break;
		case XT_OPT_MODE:
			for (i = 0; i < RTE_DIM(xt_mode_names); i++)
				if (strcmp(arg, xt_mode_names[i]) == 0)
					break;
			if (i == RTE_DIM(xt_mode_names))
				ret = xt_bad(name, arg,
					     "must be gen, sink, reflect, bidir or ping");
			else
				cfg->mode = (enum xt_mode)i;
			break;
		case XT_OPT_SIZE:
			ret = xt_parse_sizes(arg, cfg);
			break;
		case XT_OPT_DST_MAC:
			if (rte_ether_unformat_addr(arg, &cfg->dst_mac) != 0)
				ret = xt_bad(name, arg, "not a MAC address");
			cfg->dst_mac_set = true;
			break;
		case OPTAB_NO_ARG:
			fprintf(stderr, "xen-traffic: %s needs an argument\n",
				argv[optind - 1]);
			ret = -EINVAL;
			break;
		default:
			fo = opt >= 0 ? xt_field_find(opt) : NULL;
			if (fo != NULL) {
				ret = xt_field_parse(fo, name, arg, cfg);
				break;
			}
			fprintf(stderr, "xen-traffic: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			ret = -EINVAL;
			break;
		}
	}
	if (ret != 0)
		return -EINVAL;
	if (optind < argc) {
		fprintf(stderr, "xen-traffic: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return xt_check(cfg);
}
