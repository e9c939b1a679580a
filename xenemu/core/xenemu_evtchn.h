/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu core, event channels (evtchn.c): the layer above the domain
 * (xenemu_domain.h) that binds, unbinds and notifies ports and delivers
 * events to a handle's FIFO. It registers close hooks with the domain layer
 * to set up an event-channel handle's FIFO and to close the ports of closed
 * handles, dead processes and destroyed domains.
 *
 * All functions returning int return 0 (or a non-negative result) or a
 * negative errno.
 */

#ifndef XENEMU_EVTCHN_H
#define XENEMU_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/event_channel.h>

#include "xenemu_domain.h"

/* A handle not restricted to one domain (xenevtchn_restrict). */
#define XENEMU_UNRESTRICTED     0xffffffffu

int xenemu_evt_bind_unbound(struct xenemu_ctx *c, uint32_t remote_dom);
int xenemu_evt_bind_interdomain(struct xenemu_ctx *c, uint32_t remote_dom,
				uint32_t remote_port);
int xenemu_evt_unbind(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_notify(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_unmask(struct xenemu_ctx *c, uint32_t port);
int xenemu_evt_pending(struct xenemu_ctx *c);
int xenemu_evt_restrict(struct xenemu_ctx *c, uint32_t domid);

/* EVTCHNOP_send on <port> of domain <d>, whoever bound it (unmap notify). */
int xenemu_evt_send(struct xenemu_ctx *c, struct xenemu_dom *d, uint32_t port);
/* Whether <port> of <d> is bound (unbound or interdomain). */
bool xenemu_evt_port_bound(struct xenemu_dom *d, uint32_t port);

#endif /* XENEMU_EVTCHN_H */
