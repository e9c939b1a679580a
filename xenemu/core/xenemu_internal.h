/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core library, internal API: what the drop-in libxengnttab.so.1 and
 * libxenevtchn.so.1 (xenemu/lib/) and the unit tests build on. Not installed.
 *
 * The library is three layers, each with its header:
 *   xenemu_domain.h   domain.c   domains' files, handles and slots, and the
 *                                close hooks the layers above register
 *   xenemu_evtchn.h   evtchn.c   event channels, on the domain layer
 *   xenemu_gnttab.h   gnttab.c   grant tables, on event channels (unmap
 *                                notifications) and the domain layer
 * xenemu_shm.h is the layout of the shared files they all read, and
 * xenemu_core.h the toolstack's API (create, destroy).
 *
 * Every check Xen makes on a grant or a port is made on the shared state,
 * and failures carry Xen's codes.
 */

#ifndef XENEMU_INTERNAL_H
#define XENEMU_INTERNAL_H

#include "xenemu_domain.h"
#include "xenemu_evtchn.h"
#include "xenemu_gnttab.h"

#endif /* XENEMU_INTERNAL_H */
