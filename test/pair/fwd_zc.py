#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""A forwarding guest on zero-copy net_xennet ports, over xenemu.

xen-traffic --mode gen on net_xenback0 (dom0, the guest's vif 0) -> dpdk-testpmd io forwarding in
domain 1 between net_xennet0 (vif 0) and net_xennet1 (vif 1), both with the --front-devargs
(rx_zero_copy=1 tx_zero_copy=1 by default) -> net_xenback1 (dom0, vif 1) -> xen-traffic --mode sink,
which verifies every frame (sequence, length, payload, checksum). Frames of every size from 62 to
9018 B, sent by the generator as mbuf chains above 2048 B; the guest receives each frame longer than
256 B as a chain of its copied head and the RX pages, and sends those pages out of the other port
by reference. Passes when every frame arrived intact, the guest's --front-xstat counters (of the
port that sent the forwarded frames) are above 0 and its --front-xstat-zero ones 0, no process
logged a protocol violation, and the guest's port stop gives every mbuf back.

With --queues N the generator sends on N queues of vif 0 (N netif queues, testpmd's --rxq/--txq N);
with --out-queues M the vif the guest sends out of has M netif queues only, so that testpmd's N
TX queues share them (ethdev TX queue i on netif queue i mod M) and one TX ring carries the pages
of up to N of vif 0's RX pools. --back-devargs go to both net_xenback ports (persistent_grants=1:
each ring's mapping bound, XENPV_NETIF_PGNT_MAX, that N pools of other queues can exceed).

Exit status: 0 passed, 1 failed, 77 the plugins, xen-traffic or testpmd are missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testpmd_pair import (EAL_COMMON, Fail, TestPmd, add_pair_args,  # noqa: E402
                          check_xstats, missing, run_cases)


def xt_side(args, env, log_dir, name, vdev, core, targs):
    """One xen-traffic in dom0 on net_xenback; returns (process, summary path)."""
    summary = os.path.join(log_dir, f"fwd-{name}.json")
    if os.path.exists(summary):
        os.unlink(summary)
    log = open(os.path.join(log_dir, f"fwd-{name}.log"), "w")
    p = subprocess.Popen([args.xenemu, "exec", "--domid", "0", "--", args.xen_traffic,
                          "-d", args.xenback, "-l", core, "--file-prefix",
                          f"fwdzc{name}{os.getpid()}", "--vdev", vdev] + EAL_COMMON +
                         ["--", "--summary", summary] + targs,
                         stdout=log, stderr=subprocess.STDOUT, env=env)
    return p, summary, log


def run_fwd(args, log_dir):
    xdir = tempfile.mkdtemp(prefix="xenemu-fwdzc.", dir="/dev/shm")
    env = dict(os.environ, XENEMU_DIR=xdir)
    front_prefix = f"fwdzcf{os.getpid()}"
    procs, logs, guest = [], [], None

    def xe(*argv):
        r = subprocess.run([args.xenemu] + list(argv), env=env, capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise Fail(f"xenemu {' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")

    try:
        xe("start")
        xe("domain", "create", "--domid", "1", "--name", "guest")
        for devid in (0, 1):
            xe("vif", "attach", "--frontend", "1", "--backend", "0", "--devid", str(devid),
               "--mac", f"00:16:3e:00:00:0{devid + 1}")
        order = str(args.ring_order)
        dev = ",".join([f"ring_page_order={order}"] +
                       [d for d in args.front_devargs.split(",") if d])
        back = "".join("," + d for d in args.back_devargs.split(",") if d)
        q = str(args.queues)
        guest = TestPmd("fwd-guest",
                        [args.xenemu, "exec", "--domid", "1", "--", "stdbuf", "-oL",
                         args.testpmd, "-d", args.xennet, "--file-prefix", front_prefix,
                         "-l", "0-1", "--main-lcore", "0"] + EAL_COMMON +
                        ["--vdev", f"net_xennet0,devid=0,{dev}",
                         "--vdev", f"net_xennet1,devid=1,{dev}",
                         "--", "-i", "--nb-cores=1", "--max-pkt-len=9018", "--enable-scatter",
                         "--total-num-mbufs=16384", "--forward-mode=io",
                         f"--rxq={q}", f"--txq={q}"] +
                        # no hash steering (the generator's frames share
                        # their addresses): generator queue q fills the
                        # guest's RX ring q, each of its pools used
                        (["--disable-rss"] if args.queues > 1 else []),
                        env, log_dir)
        guest.wait_prompt(60)
        # the sink (vif 1) first, then the guest forwards, then the generator (vif 0)
        sink, sink_sum, log = xt_side(
            args, env, log_dir, "sink",
            f"net_xenback1,domid=1,devid=1,max_ring_page_order={order},"
            f"max_queues={args.out_queues or args.queues}{back}",
            "0", ["--queues", str(args.out_queues or args.queues), "--mode", "sink",
                  "--size", args.sizes, "--expect", str(args.count), "--wait-link", "30",
                  "--drain", "2", "--idle", "5", "--timeout", "60", "--report", "0"])
        procs.append(sink)
        logs.append(log)
        # backpressure, not drops: a burst the other port's TX ring cannot
        # take yet is retried (up to 1 s), so the generator is slowed down
        # instead of frames being lost while dom0 lags (2 cores, 3 pollers)
        guest.cmd("set fwd io retry")
        guest.cmd("set burst tx delay 1000 retry 1000")
        guest.cmd("start")
        gen, gen_sum, log = xt_side(
            args, env, log_dir, "gen",
            f"net_xenback0,domid=1,devid=0,max_ring_page_order={order},max_queues={q}{back}",
            "0", ["--queues", q, "--rxd", "256", "--txd", "256", "--mode", "gen",
                  "--size", args.sizes, "--count", str(args.count), "--rate", str(args.rate),
                  "--wait-link", "30", "--drain", "2", "--timeout", "60", "--report", "0"])
        procs.append(gen)
        logs.append(log)
        rcs = []
        for p, what in ((gen, "generator"), (sink, "sink")):
            try:
                rcs.append((what, p.wait(timeout=90)))
            except subprocess.TimeoutExpired:
                raise Fail(f"the {what}'s xen-traffic did not end")
        guest.cmd("stop")
        # into the guest's log, for whoever reads it after a failure
        guest.cmd("show port xstats all")
        for what, rc in rcs:
            if rc != 0:
                raise Fail(f"the {what}'s xen-traffic exited {rc} (logs in {log_dir})")
        with open(sink_sum) as f:
            s = json.load(f)
        if (s.get("result") != "pass" or s.get("rx_unique") != args.count or
                s.get("rx_corrupted") != 0 or s.get("rx_lost") != 0):
            raise Fail("sink: " + ", ".join(f"{k}={s.get(k)}" for k in (
                "result", "rx_unique", "rx_lost", "rx_corrupted", "rx_bad_len")))
        print(f"ok forwarded {s['rx_unique']} frames of {args.sizes} B intact", flush=True)
        for name in args.sink_xstat:
            v = s.get("xstats", {}).get(name)
            if not v:
                raise Fail(f"sink: xstat {name} = {v}, expected above 0")
            print(f"ok sink {name} = {v}", flush=True)
        # the frames of vif 0 left through port 1
        out = guest.cmd("show port xstats 1")
        for name, v in check_xstats(out, "guest port 1", above=args.front_xstat).items():
            print(f"ok guest port 1 {name} = {v}", flush=True)
        check_xstats(out, "guest port 1", zero=args.front_xstat_zero)
        # a violation closes the vif: frames would be lost above, unless it
        # came late; the logs say it either way
        for name in ("fwd-sink.log", "fwd-gen.log", "fwd-guest.log"):
            with open(os.path.join(log_dir, name), errors="replace") as f:
                bad = [ln for ln in f if "protocol violation" in ln]
            if bad:
                raise Fail(f"{name}: {bad[0].strip()}")
        print("ok no protocol violation logged", flush=True)
        guest.cmd("port stop all", timeout=60)
        used = guest.mbufs_in_use()
        if used:
            raise Fail(f"guest: {used} mbufs still in use after port stop")
        print("ok guest: no mbuf leaked", flush=True)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for log in logs:
            log.close()
        if guest is not None:
            guest.close()
        subprocess.run([args.xenemu, "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(xdir, ignore_errors=True)
        for prefix in [front_prefix] + [f"fwdzc{n}{os.getpid()}" for n in ("sink", "gen")]:
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pair_args(ap)
    ap.add_argument("--xen-traffic", required=True)
    ap.add_argument("--front-devargs", default="rx_zero_copy=1,tx_zero_copy=1")
    ap.add_argument("--back-devargs", default="",
                    help="more devargs of both net_xenback ports")
    ap.add_argument("--ring-order", type=int, default=1)
    ap.add_argument("--queues", type=int, default=1,
                    help="the generator's queues, vif 0's and the guest testpmd's")
    ap.add_argument("--out-queues", type=int, default=0,
                    help="netif queues of vif 1 (the guest sends out of it); 0: --queues")
    ap.add_argument("--front-xstat", action="append", default=[],
                    help="an xstat of the guest's sending port that must be above 0")
    ap.add_argument("--front-xstat-zero", action="append", default=[],
                    help="an xstat of the guest's sending port that must be 0")
    ap.add_argument("--sink-xstat", action="append", default=[],
                    help="an xstat of the sink's port (the backend that takes the "
                    "forwarded frames) that must be above 0")
    ap.add_argument("--sizes", default="62,200,257,1500,2049,4097,8000,9018")
    ap.add_argument("--count", type=int, default=8000)
    ap.add_argument("--rate", default="8k")
    args = ap.parse_args()
    if missing(args):
        return 77
    if not os.path.exists(args.xen_traffic):
        print(f"SKIP: {args.xen_traffic} is not built")
        return 77
    return run_cases(args, "fwd-zc.", [("forwarding guest", lambda d: run_fwd(args, d))])


if __name__ == "__main__":
    sys.exit(main())
