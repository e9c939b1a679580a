/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenemu's drop-in libxenevtchn.so.1: the API of Xen 4.17's libxenevtchn
 * (xenevtchn.h; symbol versions in libxenevtchn.map) on the xenemu core
 * instead of Linux's /dev/xen/evtchn.
 *
 * The calling process belongs to domain $XENEMU_DOMID (default 0) of the
 * instance in $XENEMU_DIR (default /run/xenemu). xenevtchn_fd() is a FIFO
 * that becomes readable when a port of the handle has an event; pending()
 * reads one port from it (and blocks if there is none, as a read of
 * /dev/xen/evtchn does). Errors are -1 with errno, as on Linux.
 */

#include <xenevtchn.h>

#include "xenemu_lib.h"

struct xenevtchn_handle {
	struct xenemu_ctx ctx;          /* first: see xenemu_lib.h */
};

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	(void)logger;
	return xenemu_handle_open(sizeof(struct xenevtchn_handle),
				  XENEMU_SLOT_EVTCHN,
				  (flags & XENEVTCHN_NO_CLOEXEC) == 0);
}

xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned int open_flags)
{
	/* Re-adopting a handle across exec would need its slot lock to
	 * survive exec as well: not emulated. */
	(void)logger;
	(void)fd;
	(void)open_flags;
	errno = ENOSYS;
	return NULL;
}

int
xenevtchn_close(xenevtchn_handle *xce)
{
	return xenemu_handle_close(xce);
}

int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->ctx.fifo_fd;
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	return xenemu_ret_errno(xenemu_evt_bind_unbound(&xce->ctx, domid));
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
			   evtchn_port_t remote_port)
{
	return xenemu_ret_errno(xenemu_evt_bind_interdomain(&xce->ctx, domid,
							    remote_port));
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	/* There are no virtual IRQs without a hypervisor. */
	(void)xce;
	(void)virq;
	return xenemu_ret_errno(-ENOSYS);
}

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	return xenemu_ret_errno(xenemu_evt_pending(&xce->ctx));
}

/*
 * The calls whose one argument goes to the core's operation of the same name
 * (xenemu_evt_NAME): xenevtchn_notify, _unbind, _unmask and _restrict.
 */
#define XENEVTCHN_CALL1(name, atype, arg)				\
int									\
xenevtchn_ ## name(xenevtchn_handle *xce, atype arg)			\
{									\
	return xenemu_ret_errno(xenemu_evt_ ## name(&xce->ctx, arg));	\
}

XENEVTCHN_CALL1(notify, evtchn_port_t, port)
XENEVTCHN_CALL1(unbind, evtchn_port_t, port)
XENEVTCHN_CALL1(unmask, evtchn_port_t, port)
XENEVTCHN_CALL1(restrict, domid_t, domid)
