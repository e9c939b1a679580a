/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What both drivers' vdev glue shares: one table-driven devargs parser (each
 * key a plain decimal in a range, with a default, given at most once) with
 * one log format, and the remove callback.
 */

#ifndef XENPV_VDEV_H
#define XENPV_VDEV_H

#include <stdbool.h>

#include <bus_vdev_driver.h>

/* One devarg: its range, its default, then the value given. */
struct xenpv_devarg {
	const char *key;
	unsigned long min;
	unsigned long max;
	unsigned long val;	/* the default, then the parsed value */
	bool required;
	bool given;		/* set by the parser */
};

/*
 * Parse @params ("k=v,k=v") against @args. An unknown key, a value that is
 * not a plain decimal in [min, max], a key given twice or a required key
 * missing logs one line naming the device @name and the key, through
 * @logtype, and returns -EINVAL.
 */
int xenpv_devargs_parse(const char *name, const char *params,
			struct xenpv_devarg *args, unsigned int n,
			int logtype);

/* The vdev remove callback both drivers use: close the port, if any. */
int xenpv_vdev_remove(struct rte_vdev_device *vdev);

#endif /* XENPV_VDEV_H */
