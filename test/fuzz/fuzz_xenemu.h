/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What the harnesses that reach xenemu in process (fuzz_xenback.c's grant
 * copies and kicks, fuzz_xennet.c's kicks) share: a xenemu state
 * directory of their own, with dom0 and one guest domain.
 */

#ifndef FUZZ_XENEMU_H
#define FUZZ_XENEMU_H

#include <stdint.h>

/*
 * Make a fresh xenemu state directory under $TMPDIR (or /tmp), removed at
 * exit by the process that made it, create domain 0 and domain @guest in
 * it, and make this process domain @self for xenemu's libraries
 * (XENEMU_DIR, XENEMU_DOMID). Returns the directory; aborts on failure.
 */
const char *fuzz_xenemu_start(uint32_t guest, uint32_t self);

#endif /* FUZZ_XENEMU_H */
