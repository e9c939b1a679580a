#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""net_xennet's granted TX pool (devarg tx_pool=N), over xenemu.

xen-traffic --mode gen in domain 1 on net_xennet0,tx_pool=N builds every frame in the driver's
pool (--tx-pool auto: rte_mempool_lookup of xennet_tx_<port id>) -> net_xenback0 in dom0 ->
xen-traffic --mode sink, which verifies every frame (sequence, length, payload, checksum).

Cases:
  intact   frames of 62 to 9018 B (chains of up to five 1920 B pool segments past 1920 B): all
           arrive intact; the guest's xstats: tx_pool_segments above 0, tx_pool_fallback 0 (every
           pool segment went by reference); every pool mbuf back after the port's stop.
  restart  the backend process is killed mid-traffic while the generator sends pool mbufs (the
           TX ring holds some by reference, unanswered) and a new one takes the vif over: what
           the new backend receives is intact, and every pool mbuf is back after the port's
           stop (the teardown gave back what the dead backend never answered).

Exit status: 0 passed, 1 failed, 77 the plugins or xen-traffic are missing.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testpmd_pair import EAL_COMMON, Fail, run_cases  # noqa: E402


class Bed:
    """A xenemu instance with domain 1 and its vif 0, and the xen-traffic processes on it."""

    def __init__(self, args, log_dir, tag):
        self.args, self.log_dir, self.tag = args, log_dir, tag
        self.xdir = tempfile.mkdtemp(prefix="xenemu-txpool.", dir="/dev/shm")
        self.env = dict(os.environ, XENEMU_DIR=self.xdir)
        self.procs, self.logs, self.prefixes = [], [], []

    def xe(self, *argv):
        r = subprocess.run([self.args.xenemu] + list(argv), env=self.env, capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            raise Fail(f"xenemu {' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")

    def __enter__(self):
        self.xe("start")
        self.xe("domain", "create", "--domid", "1", "--name", "guest")
        self.xe("vif", "attach", "--frontend", "1", "--backend", "0", "--devid", "0",
                "--mac", "00:16:3e:00:00:01")
        return self

    def xt(self, name, domid, plugin, vdev, core, targs, log_level=None):
        """One xen-traffic; returns (process, summary path, log path)."""
        summary = os.path.join(self.log_dir, f"{self.tag}-{name}.json")
        logp = os.path.join(self.log_dir, f"{self.tag}-{name}.log")
        for f in (summary,):
            if os.path.exists(f):
                os.unlink(f)
        prefix = f"txpool{self.tag}{name}{os.getpid()}"
        self.prefixes.append(prefix)
        log = open(logp, "w")
        self.logs.append(log)
        extra = [f"--log-level={log_level}"] if log_level else []
        p = subprocess.Popen([self.args.xenemu, "exec", "--domid", str(domid), "--",
                              self.args.xen_traffic, "-d", plugin, "-l", core, "--file-prefix",
                              prefix, "--vdev", vdev] + EAL_COMMON + extra +
                             ["--", "--summary", summary] + targs,
                             stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.procs.append(p)
        return p, summary, logp

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for log in self.logs:
            log.close()
        subprocess.run([self.args.xenemu, "stop"], env=self.env, capture_output=True, timeout=60)
        shutil.rmtree(self.xdir, ignore_errors=True)
        for prefix in self.prefixes:
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        return False


def wait(p, what, timeout=90):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail(f"the {what}'s xen-traffic did not end")


def summary(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Fail(f"{what}: no summary ({e})")


def xstats(s):
    """The generator's port's xstats, from its JSON summary (when the traffic ended)."""
    return s.get("xstats", {})


def check_gen(args, logp, s, want_fallback_zero=True):
    """The generator side: its pool used by reference, every mbuf back, nothing violated."""
    x = xstats(s)
    if not x:
        raise Fail(f"generator: no xstats in its summary (log {logp})")
    if x.get("tx_pool_segments", 0) <= 0:
        raise Fail(f"generator: tx_pool_segments = {x.get('tx_pool_segments')}, expected > 0")
    print(f"ok tx_pool_segments = {x['tx_pool_segments']}", flush=True)
    if want_fallback_zero and x.get("tx_pool_fallback", -1) != 0:
        raise Fail(f"generator: tx_pool_fallback = {x.get('tx_pool_fallback')}, expected 0")
    with open(logp, errors="replace") as f:
        log = f.read()
    name = "xennet_tx_0"
    if f"granted TX pool {name}" not in log:
        raise Fail(f"generator: the driver did not log its pool {name}")
    m = re.search(r"mempool (\S+): (\d+) of (\d+) mbufs back after stop", log)
    if not m or m.group(2) != m.group(3) or int(m.group(3)) != args.pool:
        raise Fail("generator: not every pool mbuf back after stop: " +
                   (m.group(0) if m else "no line"))
    print(f"ok {m.group(0)}", flush=True)
    if f"granted TX pool {name} freed" not in log:
        raise Fail("generator: the driver did not free its pool at close")
    if s.get("leaked_mbufs") != 0:
        raise Fail(f"generator: leaked_mbufs = {s.get('leaked_mbufs')}")
    if "protocol violation" in log:
        raise Fail("generator: a protocol violation was logged")


def gen_args(args, extra):
    return ["--mode", "gen", "--tx-pool", "auto", "--size", args.sizes, "--wait-link", "30",
            "--drain", "1", "--timeout", "60", "--report", "0"] + extra


def run_intact(args, log_dir):
    with Bed(args, log_dir, "intact") as bed:
        sink, sink_sum, _ = bed.xt(
            "sink", 0, args.xenback, "net_xenback0,domid=1,devid=0" + args.back_devargs, "0",
            ["--mode", "sink", "--size", args.sizes, "--expect", str(args.count),
             "--wait-link", "30", "--drain", "2", "--idle", "5", "--timeout", "60",
             "--report", "0"])
        gen, gen_sum, gen_log = bed.xt(
            "gen", 1, args.xennet, f"net_xennet0,devid=0,tx_pool={args.pool}{args.front_devargs}", "1",
            gen_args(args, ["--count", str(args.count), "--rate", args.rate]),
            log_level="pmd.net.xennet:info")
        rg = wait(gen, "generator")
        rs = wait(sink, "sink")
        s = summary(sink_sum, "sink")
        if (rs != 0 or s.get("result") != "pass" or s.get("rx_unique") != args.count or
                s.get("rx_corrupted") != 0 or s.get("rx_lost") != 0):
            raise Fail(f"sink (exit {rs}): " + ", ".join(f"{k}={s.get(k)}" for k in (
                "result", "rx_unique", "rx_lost", "rx_corrupted", "rx_bad_len")))
        print(f"ok {s['rx_unique']} frames of {args.sizes} B intact", flush=True)
        g = summary(gen_sum, "generator")
        if rg != 0:
            raise Fail(f"generator exited {rg} (log {gen_log})")
        check_gen(args, gen_log, g)


def run_restart(args, log_dir):
    with Bed(args, log_dir, "restart") as bed:
        back = "net_xenback0,domid=1,devid=0" + args.back_devargs
        sink_args = ["--mode", "sink", "--size", args.sizes, "--wait-link", "30",
                     "--drain", "1", "--idle", "3", "--timeout", "40", "--report", "0"]
        sink1, _, _ = bed.xt("sink1", 0, args.xenback, back, "0", sink_args)
        gen, gen_sum, gen_log = bed.xt(
            "gen", 1, args.xennet, f"net_xennet0,devid=0,tx_pool={args.pool}{args.front_devargs}", "1",
            gen_args(args, ["--duration", "6", "--rate", args.rate]),
            log_level="pmd.net.xennet:info")
        time.sleep(2.5)
        if sink1.poll() is not None or gen.poll() is not None:
            raise Fail("a xen-traffic ended before the backend's restart")
        sink1.kill()
        sink1.wait()
        sink2, sink2_sum, _ = bed.xt("sink2", 0, args.xenback, back, "0", sink_args)
        rg = wait(gen, "generator")
        wait(sink2, "second sink")
        s = summary(sink2_sum, "second sink")
        # the new backend joins mid-stream (its first frame is not seq 0):
        # what it got must be intact, and there must be something
        if s.get("rx_corrupted") != 0 or not s.get("rx_unique"):
            raise Fail("second sink: " + ", ".join(f"{k}={s.get(k)}" for k in (
                "rx_unique", "rx_corrupted", "rx_bad_len")))
        print(f"ok the new backend received {s['rx_unique']} frames intact", flush=True)
        g = summary(gen_sum, "generator")
        if rg != 0:
            raise Fail(f"generator exited {rg} (log {gen_log})")
        x = xstats(g)
        if x.get("vif_management_connections", 0) < 2:
            raise Fail("generator: vif_management_connections = "
                       f"{x.get('vif_management_connections')}, expected >= 2")
        print(f"ok {x['vif_management_connections']} connections", flush=True)
        check_gen(args, gen_log, g, want_fallback_zero=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xenemu", required=True)
    ap.add_argument("--xenback", required=True)
    ap.add_argument("--xennet", required=True)
    ap.add_argument("--xen-traffic", required=True)
    ap.add_argument("--log-dir", default=None)
    ap.add_argument("--back-devargs", default="", help="more devargs of net_xenback, ',k=v'")
    ap.add_argument("--front-devargs", default="", help="more devargs of net_xennet, ',k=v'")
    ap.add_argument("--pool", type=int, default=1024, help="tx_pool=N")
    ap.add_argument("--sizes", default="62,200,1500,1920,1921,2049,4097,8000,9018")
    ap.add_argument("--count", type=int, default=6000)
    ap.add_argument("--rate", default="5k")
    ap.add_argument("--cases", default="intact,restart")
    args = ap.parse_args()
    for f in (args.xenemu, args.xenback, args.xennet, args.xen_traffic):
        if not os.path.exists(f):
            print(f"SKIP: {f} is not built")
            return 77
    cases = {"intact": run_intact, "restart": run_restart}
    return run_cases(args, "txpool.", [(c, (lambda fn: lambda d: fn(args, d))(cases[c]))
                                       for c in args.cases.split(",")])


if __name__ == "__main__":
    sys.exit(main())
