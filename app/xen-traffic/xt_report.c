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
#include <string.h>

#include "xt.h"

static const char *const xt_stop_names[] = {
	[XT_STOP_NONE] = "none",
	[XT_STOP_DONE] = "done",
	[XT_STOP_EXPECT] = "expect",
	[XT_STOP_DURATION] = "duration",
	[XT_STOP_IDLE] = "idle",
	[XT_STOP_SIGNAL] = "signal",
	[XT_STOP_TIMEOUT] = "timeout",
};

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
xt_report_line(FILE *out, const struct xt_config *cfg, double t,
	       const struct xt_report_state *prev,
	       const struct xt_report_state *cur, uint64_t hz)
{
	double dt = (double)(cur->tsc - prev->tsc) / (double)hz;
	bool tx = cfg->mode != XT_MODE_SINK;
	bool rx = cfg->mode != XT_MODE_GEN;
	bool verify = cfg->mode == XT_MODE_SINK || cfg->mode == XT_MODE_BIDIR;

	fprintf(out, "[%8.2fs]", t);
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
xt_kv_u64(struct xt_kv_list *l, const char *key, uint64_t v)
{
	if (l->n < XT_KV_MAX)
		l->kv[l->n++] = (struct xt_kv){ .key = key, .type = XT_KV_U64, .u = v };
}

static void
xt_kv_i64(struct xt_kv_list *l, const char *key, int64_t v)
{
	if (l->n < XT_KV_MAX)
		l->kv[l->n++] = (struct xt_kv){ .key = key, .type = XT_KV_I64, .i = v };
}

static void
xt_kv_dbl(struct xt_kv_list *l, const char *key, double v)
{
	if (l->n < XT_KV_MAX)
		l->kv[l->n++] = (struct xt_kv){ .key = key, .type = XT_KV_DBL, .d = v };
}

static void
xt_kv_str(struct xt_kv_list *l, const char *key, const char *v)
{
	if (l->n < XT_KV_MAX)
		l->kv[l->n++] = (struct xt_kv){ .key = key, .type = XT_KV_STR, .s = v };
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

	xt_kv_u64(l, "tx_packets", r->tx.packets);
	xt_kv_u64(l, "tx_bytes", r->tx.bytes);
	xt_kv_dbl(l, "tx_mpps", xt_per_sec(r->tx.packets, r->tx_time) / 1e6);
	xt_kv_dbl(l, "tx_gbps", xt_per_sec(r->tx.bytes, r->tx_time) * 8 / 1e9);
	xt_kv_u64(l, "tx_full", r->tx.full);
	xt_kv_u64(l, "tx_dropped", r->tx.dropped);
	xt_kv_u64(l, "tx_unsent", r->tx.unsent);
	xt_kv_u64(l, "tx_nombuf", r->tx.nombuf);
	xt_kv_u64(l, "inject_drop", r->tx.inj_drop);
	xt_kv_u64(l, "inject_corrupt", r->tx.inj_corrupt);
	xt_kv_u64(l, "inject_dup", r->tx.inj_dup);
	xt_kv_u64(l, "inject_reorder", r->tx.inj_reorder);

	xt_kv_u64(l, "rx_packets", r->rx.packets);
	xt_kv_u64(l, "rx_bytes", r->rx.bytes);
	xt_kv_dbl(l, "rx_mpps", xt_per_sec(r->rx.packets, r->rx_time) / 1e6);
	xt_kv_dbl(l, "rx_gbps", xt_per_sec(r->rx.bytes, r->rx_time) * 8 / 1e9);
	xt_kv_u64(l, "rx_valid", r->rx.valid);
	xt_kv_u64(l, "rx_unique", r->rx_unique);
	xt_kv_u64(l, "rx_other", r->rx.other);
	xt_kv_u64(l, "rx_lost", r->rx.lost + r->rx_missing);
	xt_kv_u64(l, "rx_lost_tail", r->rx_missing);
	xt_kv_u64(l, "rx_duplicated", r->rx.dup);
	xt_kv_u64(l, "rx_reordered", r->rx.reordered);
	xt_kv_u64(l, "rx_late", r->rx.late);
	xt_kv_u64(l, "rx_corrupted", xt_rx_corrupted(&r->rx));
	xt_kv_u64(l, "rx_bad_len", r->rx.bad_len);
	xt_kv_u64(l, "rx_bad_magic", r->rx.bad_magic);
	xt_kv_u64(l, "rx_bad_csum", r->rx.bad_csum);
	xt_kv_u64(l, "rx_bad_stream", r->rx.bad_stream);

	xt_kv_u64(l, "port_imissed", r->port.imissed);
	xt_kv_u64(l, "port_ierrors", r->port.ierrors);
	xt_kv_u64(l, "port_oerrors", r->port.oerrors);
	xt_kv_u64(l, "port_rx_nombuf", r->port.rx_nombuf);
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
xt_summary_write(FILE *out, const struct xt_result *r, bool json)
{
	struct xt_kv_list l;
	char sizes[128];
	unsigned int i;

	xt_summary_build(r, &l, sizes, sizeof(sizes));
	fprintf(out, json ? "{\n" : "--- xen-traffic summary ---\n");
	for (i = 0; i < l.n; i++) {
		if (json) {
			fprintf(out, "  ");
			xt_json_str(out, l.kv[i].key);
			fprintf(out, ": ");
		} else {
			fprintf(out, "%s=", l.kv[i].key);
		}
		xt_kv_value(out, &l.kv[i], json);
		fprintf(out, "%s\n", json && i + 1 < l.n ? "," : "");
	}
	if (json)
		fprintf(out, "}\n");
}

void
xt_summary_print(FILE *out, const struct xt_result *r)
{
	xt_summary_write(out, r, false);
	fflush(out);
}

int
xt_summary_json(FILE *out, const struct xt_result *r)
{
	xt_summary_write(out, r, true);
	return ferror(out) ? -EIO : 0;
}
