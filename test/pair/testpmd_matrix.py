#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""testpmd queue and descriptor matrix: any --rxq/--txq and --rxd/--txd on both drivers.

Real clients configure ports their own way: OVS-DPDK more TX than RX queues and 2048 descriptors,
pktgen 1024 RX and 2048 TX descriptors, testpmd whatever it is told. Each run starts one xenemu
instance and a dpdk-testpmd pair (net_xennet in domain 1, net_xenback in dom0) with its own queue
layout and descriptor counts on each side, and default devargs, so that the drivers map the ethdev
queues onto whatever netif queues the two ends negotiate. In each run:

 * both directions, txonly on one side for a while and rxonly on the other: every frame the
   sender's port counted (opackets) arrives on the other port (ipackets), no receive errors;
 * both directions, a fixed count: the sender sends 'start tx_first 2' (2 bursts of 32 on each
   of its forwarding streams) and the other side forwards them back with io: that exact count
   is sent, received, forwarded and received back;
 * with --user-errors first: an MTU above the maximum and more queues or descriptors than
   dev_info allows are refused with an error line naming port 0, the MTU is unchanged, a valid
   MTU change and the promiscuous and all-multicast switches succeed, and the traffic phases
   above then run on the same ports.

The runs (front = net_xennet, back = net_xenback; RX/TX queues, RX/TX descriptors) cover every
queue layout and every descriptor count on both sides, different on the two sides.

Exit status: 0 every run passed, 1 a run failed, 77 the plugins or testpmd are missing.
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# one testpmd driver, pair set-up and txonly phase for both harnesses
from testpmd_pair import (Fail, Pair, add_pair_args, missing, phase_txonly,  # noqa: E402
                          run_cases)

BURST = 32          # testpmd's default burst: what one tx_first round sends per stream
# tx_first rounds: 4 streams x 2 x 32 frames fill one 256-slot ring at most, so
# the sender's bursts (which testpmd does not retry) never meet a full ring
TX_FIRST = 2

# (rxq, txq, rxd, txd) for the front (xennet) and the back (xenback) of each run
RUNS = {
    "1": ((1, 1, 64, 512), (2, 4, 4096, 2048)),
    "2": ((1, 2, 512, 1024), (4, 4, 1024, 64)),
    "3": ((2, 1, 1024, 2048), (1, 1, 512, 4096)),
    "4": ((2, 4, 2048, 4096), (1, 2, 64, 1024)),
    "5": ((4, 4, 4096, 64), (2, 1, 2048, 512)),
}

# an error line must name the port: ethdev says "port_id 0", testpmd "port 0",
# the drivers their device name
PORT_NAMED = re.compile(r"port(?:_id)?[ =]0\b|net_xen(?:net|back)0")
ERROR_WORDS = re.compile(r"error|fail|invalid|cannot|can't|not supported|>|<", re.I)


def layout(side):
    rxq, txq, rxd, txd = side
    return f"{rxq}/{txq}q {rxd}/{txd}d"


def testpmd_args(side):
    rxq, txq, rxd, txd = side
    return ["--", "-i", f"--rxq={rxq}", f"--txq={txq}", f"--rxd={rxd}", f"--txd={txd}",
            "--nb-cores=1", "--total-num-mbufs=32768"]


def streams(side):
    """testpmd's forwarding streams on one port: min(rxq, txq), queue i to queue i."""
    return min(side[0], side[1])


def expect_refused(p, command, what):
    out = p.cmd(command)
    lines = [ln for ln in out.splitlines()[1:] if ln.strip()]
    named = [ln for ln in lines if PORT_NAMED.search(ln) and ERROR_WORDS.search(ln)]
    if not named:
        raise Fail(f"{p.name}: '{command}' ({what}) gave no error line naming port 0:\n{out}")
    print(f"ok {p.name}: '{command}' refused: {named[0].strip()}", flush=True)


def expect_accepted(p, command):
    out = p.cmd(command)
    bad = [ln for ln in out.splitlines()[1:] if re.search(r"error|fail|invalid|bad arg", ln, re.I)]
    if bad:
        raise Fail(f"{p.name}: '{command}' failed: {bad[0].strip()}\n{out}")


def port_mtu(p):
    out = p.cmd("show port info 0")
    m = re.search(r"^MTU:\s+(\d+)", out, re.M)
    if not m:
        raise Fail(f"{p.name}: no MTU in show port info:\n{out}")
    return int(m.group(1))


def user_errors(p):
    """Refused configurations, after which the port must be as it was."""
    mtu = port_mtu(p)
    # 65535 is above any vif's maximum (a netif packet, headers included,
    # is at most 65535 bytes); 70000 would not get past testpmd's parser
    expect_refused(p, "port config mtu 0 65535", "MTU above the maximum")
    if port_mtu(p) != mtu:
        raise Fail(f"{p.name}: MTU changed from {mtu} to {port_mtu(p)} by a refused set")
    expect_accepted(p, "port config mtu 0 1400")
    if port_mtu(p) != 1400:
        raise Fail(f"{p.name}: 'port config mtu 0 1400' left MTU {port_mtu(p)}")
    expect_accepted(p, f"port config mtu 0 {mtu}")
    for cmd in ("set promisc 0 on", "set allmulti 0 on", "set allmulti 0 off"):
        out = p.cmd(cmd)
        if re.search(r"error|fail|not supported", out, re.I):
            raise Fail(f"{p.name}: '{cmd}': {out.strip()}")
    print(f"ok {p.name}: MTU {mtu} -> 1400 -> {mtu}, promiscuous and all-multicast set", flush=True)
    p.cmd("port stop 0", timeout=60)
    expect_refused(p, "port config all rxq 17", "more RX queues than max_rx_queues")
    expect_refused(p, "port config all txq 17", "more TX queues than max_tx_queues")
    expect_refused(p, "port config all rxd 40000", "more RX descriptors than the maximum")
    expect_refused(p, "port config all txd 40000", "more TX descriptors than the maximum")
    p.cmd("port start 0", timeout=60)


def netif_queues(p):
    """The netif queue count of the last connection, from the driver's log line."""
    with open(p.log.name, errors="replace") as f:
        found = re.findall(r"connected.*?: (\d+) queue\(s\)", f.read())
    return int(found[-1]) if found else None


def unpolled_hint(receiver, side):
    """Why frames may sit unread: testpmd polls only min(rxq, txq) RX queues."""
    n = netif_queues(receiver)
    if side[0] > side[1] and n is not None and n > side[1]:
        unread = f"queue {side[1]}" if n - 1 == side[1] else f"queues {side[1]} to {n - 1}"
        return (f" ({receiver.name} has {side[0]} RX queues but testpmd polls only min(rxq, txq)"
                f" = {side[1]} of them, and the vif connected with {n} netif queues: what the"
                f" peer sends on netif {unread} is never read)")
    return ""


def phase_tx_first(sender, receiver, count, what, rside=None, sside=None):
    """A fixed count: tx_first bursts from the sender, echoed back by io on the receiver."""
    for p in (sender, receiver):
        p.cmd("clear port stats all")
        # a full ring makes tx_burst take fewer, as a NIC's full descriptor
        # ring does; testpmd's io drops the rest unless told to retry (up
        # to 1000 x 10 us per burst here): a fixed count must arrive whole
        p.cmd("set burst tx delay 10 retry 1000")
    sender.cmd("set fwd rxonly")
    expect_accepted(receiver, "set fwd io retry")
    receiver.cmd("start")
    sender.cmd(f"start tx_first {TX_FIRST}")
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.3)
        s = sender.port_stats()
        if s["RX-packets"] >= count or time.monotonic() > deadline:
            break
    sender.cmd("stop")
    receiver.cmd("stop")
    s, r = sender.port_stats(), receiver.port_stats()
    got = (s["TX-packets"], r["RX-packets"], r["TX-packets"], s["RX-packets"])
    if got != (count,) * 4:
        hint = ""
        if got[1] != got[0] and rside:
            hint = unpolled_hint(receiver, rside)
        elif got[3] != got[2] and sside:
            hint = unpolled_hint(sender, sside)
        raise Fail(f"{what}: {count} frames: sent {got[0]}, received {got[1]}, "
                   f"echoed {got[2]}, received back {got[3]}{hint}")
    print(f"ok {what}: {count} frames there and back", flush=True)


def run(args, name, front_side, back_side, log_dir):
    tag = f"run{name} front {layout(front_side)} back {layout(back_side)}"
    with Pair(args, f"run{name}", "mtx", log_dir) as pair:
        # default devargs: the drivers pick the netif queues from the layouts
        back, front = pair.start("net_xenback0,domid=1", testpmd_args(back_side),
                                 "net_xennet0", testpmd_args(front_side))

        if args.user_errors:
            for p in (back, front):
                user_errors(p)
            back.wait_link(30)
            front.wait_link(30)

        sides = {front.name: front_side, back.name: back_side}
        for sender, receiver in ((front, back), (back, front)):
            phase_txonly(sender, receiver, args.seconds,
                         f"{tag}: txonly {sender.name} -> rxonly {receiver.name}",
                         lambda: unpolled_hint(receiver, sides[receiver.name]))
        for sender, receiver in ((front, back), (back, front)):
            count = streams(sides[sender.name]) * TX_FIRST * BURST
            phase_tx_first(sender, receiver, count,
                           f"{tag}: tx_first {sender.name} -> io {receiver.name}",
                           sides[receiver.name], sides[sender.name])


def timed_run(args, name, log_dir):
    t0 = time.monotonic()
    run(args, name, *RUNS[name], log_dir)
    print(f"ok run {name} ({time.monotonic() - t0:.0f} s)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pair_args(ap)
    ap.add_argument("--runs", default=",".join(RUNS), help="comma-separated runs: "
                    + "; ".join(f"{k}: front {layout(f)}, back {layout(b)}"
                                for k, (f, b) in RUNS.items()))
    ap.add_argument("--user-errors", action="store_true",
                    help="refused MTU, queue and descriptor settings first, on both ports")
    ap.add_argument("--seconds", type=float, default=1.0, help="txonly sending time per phase")
    args = ap.parse_args()
    if missing(args):
        return 77
    runs = [r for r in args.runs.split(",") if r]
    for r in runs:
        if r not in RUNS:
            ap.error(f"unknown run {r}")
    return run_cases(args, "testpmd-matrix.",
                     [(f"run {r}", lambda log_dir, r=r: timed_run(args, r, log_dir)) for r in runs])

if __name__ == "__main__":
    sys.exit(main())
