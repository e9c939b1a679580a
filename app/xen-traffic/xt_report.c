/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Output: one report line per interval while traffic runs, and the final
 * summary, printed as key=value lines and optionally written as one flat JSON
 * object with the same keys, for scripts that compare both sides of a run.
 *
 * Rates count frame bytes as the port sees them (Ethernet header to the end
 * of the payload, no FCS, preamble or gap), as testpmd's port statistics do.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "xt.h"

static const char *const xt_stop_names[] = { XT_STOPS(XT_NAME) };

const char *
xt_stop_name(enum xt_stop stop)
{
	return xt_stop_names[stop];
}

static double
xt_per_sec(uint64_t v, double secs)
{
	return secs > 0 ? (double)v / secs : 0.0;
}

void
xt_report_line(FILE *out, const char *prefix, const struct xt_config *cfg,
	       double t, const struct xt_report_state *prev,
	       const struct xt_report_state *cur, uint64_t hz)
{
	double dt = (double)(cur->tsc - prev->tsc) / (double)hz;
	bool tx = cfg->mode != XT_MODE_SINK;
	bool rx = cfg->mode != XT_MODE_GEN;
	bool verify = cfg->mode == XT_MODE_SINK || cfg->mode == XT_MODE_BIDIR;

	fprintf(out, "%s[%8.2fs]", prefix, t);
	if (tx)
		fprintf(out, " tx %7.3f Mpps %7.3f Gbit/s sent %" PRIu64 " full %"
			PRIu64 " dropped %" PRIu64 "%s",
			xt_per_sec(cur->tx.packets - prev->tx.packets, dt) / 1e6,
			xt_per_sec(cur->tx.bytes - prev->tx.bytes, dt) * 8 / 1e9,
			cur->tx.packets, cur->tx.full, cur->tx.dropped,
			rx ? " |" : "");
	if (rx)
		fprintf(out, " rx %7.3f Mpps %7.3f Gbit/s recv %" PRIu64,
			xt_per_sec(cur->rx.packets - prev->rx.packets, dt) / 1e6,
			xt_per_sec(cur->rx.bytes - prev->rx.bytes, dt) * 8 / 1e9,
			cur->rx.packets);
	if (verify)
		fprintf(out, " lost %" PRIu64 " dup %" PRIu64 " reord %" PRIu64
			" corrupt %" PRIu64,
			cur->rx.lost, cur->rx.dup, cur->rx.reordered,
			xt_rx_corrupted(&cur->rx));
	if (rx)
		fprintf(out, " nombuf %" PRIu64 " missed %" PRIu64,
			cur->port.rx_nombuf, cur->port.imissed);
	fprintf(out, "\n");
	fflush(out);
}

/* The summary as a list of keys, shared by both output formats. */
enum xt_kv_type { XT_KV_U64, XT_KV_I64, XT_KV_DBL, XT_KV_STR };

struct xt_kv {
	const char *key;
	enum xt_kv_type type;
	uint64_t u;
	int64_t i;
	double d;
	const char *s;
};

#define XT_KV_MAX 64

struct xt_kv_list {
	struct xt_kv kv[XT_KV_MAX];
	unsigned int n;
};

static void
xt_kv_add(struct xt_kv_list *l, struct xt_kv kv)
{
	if (l->n < XT_KV_MAX)
		l->kv[l->n++] = kv;
}

#define xt_kv_u64(l, k, v) \
	xt_kv_add(l, (struct xt_kv){ .key = (k), .type = XT_KV_U64, .u = (v) })
#define xt_kv_i64(l, k, v) \
	xt_kv_add(l, (struct xt_kv){ .key = (k), .type = XT_KV_I64, .i = (v) })
#define xt_kv_dbl(l, k, v) \
	xt_kv_add(l, (struct xt_kv){ .key = (k), .type = XT_KV_DBL, .d = (v) })
#define xt_kv_str(l, k, v) \
	xt_kv_add(l, (struct xt_kv){ .key = (k), .type = XT_KV_STR, .s = (v) })

/*
 * The counters of the result in the summary's order: each a uint64_t field
 * of struct xt_result; a rate, that field per second of a double field of
 * seconds, times mul / div; or (get) a sum of several.
 */
struct xt_kv_counter {
	const char *key;
	size_t off;
	bool rate;
	size_t secs_off;
	double mul, div;
	uint64_t (*get)(const struct xt_result *r);
};

#define XT_RES(m) offsetof(struct xt_result, m)
#define XT_CNT(key, m) { key, XT_RES(m), false, 0, 0, 0, NULL }
#define XT_SUM(key, get) { key, 0, false, 0, 0, 0, get }
#define XT_RATE(key, m, secs, mul, div) \
	{ key, XT_RES(m), true, XT_RES(secs), mul, div, NULL }

static uint64_t
xt_res_lost(const struct xt_result *r)
{
	return r->rx.lost + r->rx_missing;
}

static uint64_t
xt_res_corrupted(const struct xt_result *r)
{
	return xt_rx_corrupted(&r->rx);
}

static const struct xt_kv_counter xt_counters[] = {
	XT_CNT("tx_packets", tx.packets),
	XT_CNT("tx_bytes", tx.bytes),
	XT_RATE("tx_mpps", tx.packets, tx_time, 1, 1e6),
	XT_RATE("tx_gbps", tx.bytes, tx_time, 8, 1e9),
	XT_CNT("tx_full", tx.full),
	XT_CNT("tx_dropped", tx.dropped),
	XT_CNT("tx_unsent", tx.unsent),
	XT_CNT("tx_nombuf", tx.nombuf),
	XT_CNT("inject_drop", tx.inj_drop),
	XT_CNT("inject_corrupt", tx.inj_corrupt),
	XT_CNT("inject_dup", tx.inj_dup),
	XT_CNT("inject_reorder", tx.inj_reorder),
	XT_CNT("rx_packets", rx.packets),
	XT_CNT("rx_bytes", rx.bytes),
	XT_RATE("rx_mpps", rx.packets, rx_time, 1, 1e6),
	XT_RATE("rx_gbps", rx.bytes, rx_time, 8, 1e9),
	XT_CNT("rx_valid", rx.valid),
	XT_CNT("rx_unique", rx_unique),
	XT_CNT("rx_other", rx.other),
	XT_SUM("rx_lost", xt_res_lost),
	XT_CNT("rx_lost_tail", rx_missing),
	XT_CNT("rx_duplicated", rx.dup),
	XT_CNT("rx_reordered", rx.reordered),
	XT_CNT("rx_late", rx.late),
	XT_SUM("rx_corrupted", xt_res_corrupted),
	XT_CNT("rx_bad_len", rx.bad_len),
	XT_CNT("rx_bad_magic", rx.bad_magic),
	XT_CNT("rx_bad_csum", rx.bad_csum),
	XT_CNT("rx_bad_stream", rx.bad_stream),
	XT_CNT("port_imissed", port.imissed),
	XT_CNT("port_ierrors", port.ierrors),
	XT_CNT("port_oerrors", port.oerrors),
	XT_CNT("port_rx_nombuf", port.rx_nombuf),
	XT_CNT("rx_pauses", rx_pauses),
};

static void
xt_kv_counters(struct xt_kv_list *l, const struct xt_result *r)
{
	const char *base = (const char *)r;
	const struct xt_kv_counter *c;
	uint64_t v;
	unsigned int i;

	for (i = 0; i < RTE_DIM(xt_counters); i++) {
		c = &xt_counters[i];
		v = c->get != NULL ? c->get(r) :
			*(const uint64_t *)(base + c->off);
		if (c->rate)
			xt_kv_dbl(l, c->key, xt_per_sec(v,
				  *(const double *)(base + c->secs_off)) *
				  c->mul / c->div);
		else
			xt_kv_u64(l, c->key, v);
	}
}

static void
xt_summary_build(const struct xt_result *r, struct xt_kv_list *l, char *sizes,
		 size_t sizes_len)
{
	const struct xt_config *cfg = r->cfg;
	size_t n = 0;
	unsigned int i;

	sizes[0] = '\0';
	for (i = 0; i < cfg->nb_sizes && n < sizes_len; i++)
		n += snprintf(sizes + n, sizes_len - n, "%s%u", i ? "," : "",
			      cfg->sizes[i]);

	l->n = 0;
	xt_kv_u64(l, "port", r->port_id);
	xt_kv_str(l, "port_name", r->port_name);
	xt_kv_str(l, "mode", xt_mode_name(cfg->mode));
	xt_kv_u64(l, "queues", cfg->queues);
	xt_kv_str(l, "sizes", sizes);
	xt_kv_str(l, "stopped_by", xt_stop_name(r->stop));
	xt_kv_dbl(l, "elapsed_s", r->elapsed);
	xt_kv_counters(l, r);
	xt_kv_dbl(l, "rx_max_gap_s", r->rx_max_gap);
	if (cfg->mode == XT_MODE_PING) {
		xt_kv_u64(l, "ping_sent", r->ping_sent);
		xt_kv_u64(l, "ping_lost", r->ping_lost);
		xt_kv_u64(l, "ping_stale", r->ping_stale);
		xt_kv_u64(l, "rtt_count", r->rtt_count);
		xt_kv_dbl(l, "rtt_min_us", r->rtt_min_us);
		xt_kv_dbl(l, "rtt_p50_us", r->rtt_p50_us);
		xt_kv_dbl(l, "rtt_p99_us", r->rtt_p99_us);
		xt_kv_dbl(l, "rtt_max_us", r->rtt_max_us);
		xt_kv_dbl(l, "rtt_mean_us", r->rtt_mean_us);
	}
	xt_kv_i64(l, "leaked_mbufs", r->leaked_mbufs);
	xt_kv_str(l, "result", r->pass ? "pass" : "fail");
}

/* JSON string: the values here are names and numbers, but escape anyway. */
static void
xt_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/*
 * One value as both outputs write it: numbers in the same format, so that the
 * key=value summary and the JSON object never disagree; strings quoted only
 * in JSON.
 */
static void
xt_kv_value(FILE *out, const struct xt_kv *kv, bool json)
{
	switch (kv->type) {
	case XT_KV_U64:
		fprintf(out, "%" PRIu64, kv->u);
		break;
	case XT_KV_I64:
		fprintf(out, "%" PRId64, kv->i);
		break;
	case XT_KV_DBL:
		fprintf(out, "%.6f", kv->d);
		break;
	case XT_KV_STR:
		if (json)
			xt_json_str(out, kv->s);
		else
			fputs(kv->s, out);
		break;
	}
}

/*
 * Both outputs walk the same list: key=value lines under a heading for
 * people and the log, or one flat JSON object for scripts.
 */
static void
xt_summary_write(FILE *out, const struct xt_result *r, bool json,
		 const char *indent)
{
	struct xt_kv_list l;
	char sizes[128];
	unsigned int i;

	xt_summary_build(r, &l, sizes, sizeof(sizes));
	fprintf(out, json ? "%s{\n" : "--- xen-traffic summary ---\n", indent);
	for (i = 0; i < l.n; i++) {
		if (json) {
			fprintf(out, "%s  ", indent);
			xt_json_str(out, l.kv[i].key);
			fprintf(out, ": ");
		} else {
			fprintf(out, "%s=", l.kv[i].key);
		}
		xt_kv_value(out, &l.kv[i], json);
		fprintf(out, "%s\n", json && (i + 1 < l.n || r->nxstats) ?
			"," : "");
	}
	if (!json)
		return;
	/* the port's xstats: an object of their own */
	if (r->nxstats) {
		fprintf(out, "%s  \"xstats\": {\n", indent);
		for (i = 0; i < r->nxstats; i++) {
			fprintf(out, "%s    ", indent);
			xt_json_str(out, r->xstat_names[i].name);
			fprintf(out, ": %" PRIu64 "%s\n", r->xstat_values[i],
				i + 1 < r->nxstats ? "," : "");
		}
		fprintf(out, "%s  }\n", indent);
	}
	fprintf(out, "%s}", indent);
}

void
xt_summary_print(FILE *out, const struct xt_result *r)
{
	xt_summary_write(out, r, false, "");
	fflush(out);
}

/* One port: one flat object; several: an array of them, in --port order. */
int
xt_summary_json(FILE *out, const struct xt_result *r, unsigned int n)
{
	unsigned int i;

	if (n == 1) {
		xt_summary_write(out, r, true, "");
		fprintf(out, "\n");
	} else {
		fprintf(out, "[\n");
		for (i = 0; i < n; i++) {
			xt_summary_write(out, &r[i], true, "  ");
			fprintf(out, "%s\n", i + 1 < n ? "," : "");
		}
		fprintf(out, "]\n");
	}
	return ferror(out) ? -EIO : 0;
}
