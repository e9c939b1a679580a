#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""testpmd against testpmd: net_xennet in a guest, net_xenback in dom0, over xenemu.

For each ring page order and queue count given, one xenemu instance and one pair of dpdk-testpmd
processes (dom0 with net_xenback, domain 1 with net_xennet) are started; then for each packet size,
each side in turn sends with txonly while the other receives with rxonly. A phase passes when every
packet the sender's port counted as sent (opackets) arrived on the other port (ipackets), with no
receive errors. After the sizes, each port is stopped and its mbuf pool must be full again (no mbuf
leaked), and 'port start' must bring the link back up (the vif reconnects).

Exit status: 0 all cases passed, 1 a case failed, 77 the plugins or testpmd are missing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tl_output import Output  # noqa: E402

PROMPT = "testpmd> "
# Asynchronous output (driver logs, testpmd's event lines) is written by other
# threads straight to the same stream and can land inside the prompt, which
# the command line writes in pieces: allow whole lines (each may start with
# an extra newline) between its characters. A regular expression saying so
# backtracks exponentially over a buffer of many lines (a burst of reconnect
# logs hung a test for minutes), so find_prompt() runs it as an automaton.


def find_prompt(buf):
    """The leftmost prompt in buf, possibly with whole lines inside it: (start, end) of the
    shortest such match at the leftmost start, or None. Linear in len(buf)."""
    n = len(buf)
    # for each position, where the line it is in ends (the index after its newline)
    line_end = [0] * (n + 1)
    nxt = -1
    for i in range(n - 1, -1, -1):
        if buf[i] == "\n":
            nxt = i + 1
        line_end[i] = nxt
    line_end[n] = -1
    # pending[pos]: {k: start}: a match that began at start needs PROMPT[k] at pos
    pending = {}
    best = None
    for i in range(n):
        if best is not None and not pending:
            break
        states = pending.pop(i, {})
        if buf[i] == PROMPT[0]:
            states.setdefault(0, i)
        for k, start in states.items():
            if best is not None and start >= best[0]:
                continue
            if buf[i] == PROMPT[k]:
                if k + 1 == len(PROMPT):
                    if best is None or start < best[0]:
                        best = (start, i + 1)
                    continue
                nk = pending.setdefault(i + 1, {})
                nk[k + 1] = min(nk.get(k + 1, start), start)
            if k == 0:
                continue
            # a line written into the prompt before PROMPT[k]: its rest,
            # or (buf[i] a newline) the whole next line
            for j in (line_end[i], line_end[i + 1] if buf[i] == "\n" else -1):
                if j > 0:
                    nk = pending.setdefault(j, {})
                    nk[k] = min(nk.get(k, start), start)
    return best


class Fail(Exception):
    pass


class TestPmd(Output):
    """One interactive dpdk-testpmd process, driven through its command line."""

    def __init__(self, name, argv, env, log_dir):
        self.name = name
        self.log = open(os.path.join(log_dir, name + ".log"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, bufsize=0)
        out = self.proc.stdout
        self.start_output(lambda: out.read1(65536) if hasattr(out, "read1")
                          else os.read(out.fileno(), 65536), self.log)

    def wait_prompt(self, timeout):
        """Wait for the prompt; return (and consume) everything printed before it."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = find_prompt(self.buf)
                if m:
                    break
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    tail = self.buf[-2000:]
                    raise Fail(f"{self.name}: no prompt within {timeout}s "
                               f"(exit {self.proc.poll()}); output:\n{tail}")
                self.cond.wait(min(left, 0.2))
            out, self.buf = self.buf[:m[0]], self.buf[m[1]:]
            return out

    def cmd(self, line, timeout=30):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        return self.wait_prompt(timeout)

    def port_stats(self):
        out = self.cmd("show port stats 0")
        stats = {}
        for key in ("RX-packets", "RX-missed", "RX-errors", "RX-nombuf", "TX-packets", "TX-errors"):
            m = re.search(key + r":\s+(\d+)", out)
            if m:
                stats[key] = int(m.group(1))
        if "RX-packets" not in stats or "TX-packets" not in stats:
            raise Fail(f"{self.name}: cannot parse port stats:\n{out}")
        return stats

    def link_up(self):
        return "Link status: up" in self.cmd("show port info 0")

    def wait_link(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.link_up():
                return
            time.sleep(0.2)
        raise Fail(f"{self.name}: link not up within {timeout}s")

    def mbufs_in_use(self):
        """Mbufs not back in testpmd's pools: size - (common pool + lcore caches)."""
        out = self.cmd("dump_mempool")
        used = 0
        pools = out.split("mempool <")[1:]
        for pool in pools:
            size = re.search(r"\n\s*size=(\d+)", pool)
            common = re.search(r"common_pool_count=(\d+)", pool)
            cached = re.search(r"total_cache_count=(\d+)", pool)
            if not (size and common):
                raise Fail(f"{self.name}: cannot parse dump_mempool:\n{pool[:1500]}")
            used += int(size.group(1)) - int(common.group(1)) - \
                (int(cached.group(1)) if cached else 0)
        if not pools:
            raise Fail(f"{self.name}: dump_mempool printed no pool:\n{out[-1500:]}")
        return used

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.join_output(timeout=5)
        self.log.close()
        return self.proc.returncode


def check_telemetry(name, prefix, want_dump=None):
    """dpdk-telemetry.py must show the port's stats and xstats, with traffic counted."""
    for query, keys in (("/ethdev/stats,0", ("ipackets", "opackets")),
                        ("/ethdev/xstats,0", ("rx_good_packets", "tx_good_packets"))):
        r = subprocess.run(["dpdk-telemetry.py", "-f", prefix], input=query + "\n",
                           capture_output=True, text=True, timeout=30)
        counts = [re.search(r'"' + k + r'":\s*(\d+)', r.stdout) for k in keys]
        if r.returncode != 0 or not all(counts) or sum(int(m.group(1)) for m in counts) == 0:
            raise Fail(f"{name}: dpdk-telemetry.py {query}: {r.stdout[-800:]} {r.stderr[-400:]}")
    # the driver's private dump (eth_dev_priv_dump), where it has one
    if want_dump is not None:
        r = subprocess.run(["dpdk-telemetry.py", "-f", prefix], input="/ethdev/dump_priv,0\n",
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0 or want_dump not in r.stdout:
            raise Fail(f"{name}: /ethdev/dump_priv has no '{want_dump}': {r.stdout[-800:]}")
    print(f"ok {name}: telemetry shows stats and xstats", flush=True)


def check_xstats(out, what, above=(), zero=()):
    """In testpmd's "show port xstats" output `out`, each xstat of `above` must be
    above 0 and each of `zero` 0, or Fail naming `what`; returns {name: value} of
    those checked."""
    got = {}
    for name, want_zero in [(n, False) for n in above] + [(n, True) for n in zero]:
        v = re.search(rf"^{name}:\s+(\d+)$", out, re.M)
        if v is None or (int(v.group(1)) == 0) != want_zero:
            raise Fail(f"{what} xstat {name} is "
                       f"{v.group(1) if v else 'missing'}, expected "
                       f"{'0' if want_zero else '> 0'}")
        got[name] = int(v.group(1))
    return got


def txpkts(size):
    """Segment lengths for testpmd's txonly: one segment up to 2000 B, chains above."""
    segs = []
    while size > 0:
        segs.append(min(size, 2000))
        size -= segs[-1]
    return ",".join(str(s) for s in segs)


# EAL options of every testpmd here: no hugepages, no PCI, the drivers' logs
EAL_COMMON = ["--no-huge", "-m", "512", "--single-file-segments", "--no-pci",
              "--log-level", "pmd.net.*:info"]


class Pair:
    """One xenemu instance with guest domain 1 and its vif, and a dpdk-testpmd on each end: back in
    dom0 on net_xenback, front in domain 1 on net_xennet. As a context manager, leaving it quits
    both, stops xenemu and removes its directory and the two EAL runtime directories."""

    def __init__(self, args, name, prefix, log_dir):
        self.args, self.name, self.log_dir = args, name, log_dir
        self.back_prefix = f"{prefix}b{os.getpid()}"
        self.front_prefix = f"{prefix}f{os.getpid()}"
        self.xdir = tempfile.mkdtemp(prefix=f"xenemu-{prefix}.", dir="/dev/shm")
        self.env = dict(os.environ, XENEMU_DIR=self.xdir)
        self.procs = []

    def xe(self, *argv):
        r = subprocess.run([self.args.xenemu] + list(argv), env=self.env, capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            raise Fail(f"xenemu {' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")

    def _testpmd(self, side, domid, plugin, file_prefix, main_lcore, vdev, tp):
        # stdbuf: testpmd's printf output must not sit in a pipe buffer
        # while its prompt (written directly) comes through
        p = TestPmd(f"{self.name}-{side}",
                    [self.args.xenemu, "exec", "--domid", domid, "--", "stdbuf", "-oL",
                     self.args.testpmd, "-d", plugin, "--file-prefix", file_prefix, "-l", "0-1",
                     "--main-lcore", main_lcore] + EAL_COMMON + ["--vdev", vdev] + tp,
                    self.env, self.log_dir)
        self.procs.append(p)
        p.wait_prompt(60)
        return p

    def start(self, back_vdev, back_tp, front_vdev, front_tp):
        """Domain 1 and its vif, then the back's testpmd and the front's; returns (back, front)
        once both links are up."""
        self.xe("start")
        self.xe("domain", "create", "--domid", "1", "--name", "guest")
        self.xe("vif", "attach", "--frontend", "1", "--backend", "0", "--devid", "0",
                "--mac", "00:16:3e:00:00:01")
        back = self._testpmd("back", "0", self.args.xenback, self.back_prefix, "1",
                             back_vdev, back_tp)
        front = self._testpmd("front", "1", self.args.xennet, self.front_prefix, "0",
                              front_vdev, front_tp)
        back.wait_link(30)
        front.wait_link(30)
        return back, front

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.close()
        subprocess.run([self.args.xenemu, "stop"], env=self.env, capture_output=True, timeout=60)
        shutil.rmtree(self.xdir, ignore_errors=True)
        for prefix in (self.back_prefix, self.front_prefix):
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        return False


def phase_txonly(sender, receiver, seconds, what, hint=lambda: ""):
    """txonly on the sender, rxonly on the receiver: every frame sent must arrive, no errors.
    hint() may say why frames went missing; it is asked only then."""
    for p in (sender, receiver):
        p.cmd("clear port stats all")
    sender.cmd("set fwd txonly")
    receiver.cmd("set fwd rxonly")
    receiver.cmd("start")
    sender.cmd("start")
    time.sleep(seconds)
    sender.cmd("stop")
    time.sleep(0.5)          # let the receiver drain the rings
    receiver.cmd("stop")
    tx, rx = sender.port_stats(), receiver.port_stats()
    if tx["TX-packets"] < 100:
        raise Fail(f"{what}: only {tx['TX-packets']} packets sent")
    if rx["RX-packets"] != tx["TX-packets"]:
        raise Fail(f"{what}: sent {tx['TX-packets']}, received {rx['RX-packets']}{hint()}")
    if rx.get("RX-errors", 0) or tx.get("TX-errors", 0):
        raise Fail(f"{what}: errors rx {rx.get('RX-errors')} tx {tx.get('TX-errors')}")
    print(f"ok {what}: {tx['TX-packets']} packets", flush=True)


def add_pair_args(ap):
    """The options both harnesses take: the programs and plugins, and where the logs go."""
    ap.add_argument("--xenemu", required=True)
    ap.add_argument("--xenback", required=True, help="librte_net_xenback.so")
    ap.add_argument("--xennet", required=True, help="librte_net_xennet.so")
    ap.add_argument("--testpmd", default=shutil.which("dpdk-testpmd") or "dpdk-testpmd")
    ap.add_argument("--log-dir", default=None)


def missing(args):
    """True (and says SKIP) when a plugin, xenemu or testpmd is not there to run."""
    for f in (args.xenemu, args.xenback, args.xennet):
        if not os.path.exists(f):
            print(f"SKIP: {f} is not built")
            return True
    if not shutil.which(args.testpmd) and not os.path.exists(args.testpmd):
        print("SKIP: dpdk-testpmd not installed")
        return True
    return False


def run_cases(args, prefix, cases):
    """Each (label, fn(log_dir)) in turn; a Fail is reported and counted and the next case
    still runs. Returns the exit status: 1 if any case failed, else 0."""
    log_dir = args.log_dir or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(log_dir, exist_ok=True)
    failed = 0
    for label, fn in cases:
        try:
            fn(log_dir)
        except Fail as e:
            failed += 1
            print(f"FAIL {label}: {e}", flush=True)
            print(f"(testpmd logs in {log_dir})", flush=True)
    return 1 if failed else 0


def run_pair(args, order, queues, log_dir):
    tag = f"o{order}q{queues}"
    tp = ["--", "-i", f"--rxq={queues}", f"--txq={queues}", "--nb-cores=1",
          "--max-pkt-len=9018", "--enable-scatter",
          f"--txd={256 << order}", f"--rxd={256 << order}",
          "--total-num-mbufs=32768"]
    with Pair(args, tag, "pair", log_dir) as pair:
        back, front = pair.start(
            f"net_xenback0,domid=1,max_queues={queues},max_ring_page_order={order}"
            f"{args.back_devargs}", tp,
            f"net_xennet0,queues={queues},ring_page_order={order}{args.front_devargs}", tp)

        for size in args.sizes:
            for sender, receiver in ((front, back), (back, front)):
                sender.cmd(f"set txpkts {txpkts(size)}")
                phase_txonly(sender, receiver, args.seconds,
                             f"{tag} {size}B {sender.name}->{receiver.name}")
                # --front-xstat: counted by what the front just received
                # (frames past 256 B: what rx_zero_copy attaches)
                if receiver is front and size > 256:
                    check_xstats(front.cmd("show port xstats 0"),
                                 f"{tag} {size}B: {front.name}", above=args.front_xstat)
                # --back-rx-xstat: the same of the back (net_xenback's own
                # rx_zero_copy attaches what the guest sent past 256 B)
                if receiver is back and size > 256:
                    check_xstats(back.cmd("show port xstats 0"),
                                 f"{tag} {size}B: {back.name}", above=args.back_rx_xstat)

        # testpmd's forwarding modes on each driver: one side forwards in the
        # mode, the other generates with flowgen (which also receives and
        # drops): everything the forwarder's port sent must arrive back
        for mode in args.modes:
            for fwd, gen in ((back, front), (front, back)):
                for p in (fwd, gen):
                    p.cmd("clear port stats all")
                fwd.cmd(f"set fwd {mode}")
                gen.cmd("set fwd flowgen")
                gen.cmd("set txpkts 64")
                fwd.cmd("start")
                gen.cmd("start")
                time.sleep(args.seconds)
                gen.cmd("stop")
                time.sleep(0.5)
                fwd.cmd("stop")
                # both drain what is left in flight, so that nothing spills
                # into the next phase's counts
                for p in (fwd, gen):
                    p.cmd("set fwd rxonly")
                    p.cmd("start")
                time.sleep(0.5)
                for p in (fwd, gen):
                    p.cmd("stop")
                f, g = fwd.port_stats(), gen.port_stats()
                what = f"{tag} {mode} on {fwd.name}"
                if f["RX-packets"] < 100 or f["TX-packets"] < 100:
                    raise Fail(f"{what}: forwarded rx {f['RX-packets']} tx {f['TX-packets']}")
                if g["RX-packets"] != f["TX-packets"]:
                    raise Fail(f"{what}: forwarder sent {f['TX-packets']}, "
                               f"generator received {g['RX-packets']}")
                print(f"ok {what}: {f['TX-packets']} packets forwarded", flush=True)
        if args.telemetry:
            # rx_zero_copy=1: the dump shows each RX ring's pool (2 pages a slot)
            front_dump = (f"rx zero-copy pool of {512 << order} pages"
                          if "rx_zero_copy=1" in args.front_devargs else "connection: connected")
            for p, prefix, dump in ((back, pair.back_prefix, "connection: connected"),
                                    (front, pair.front_prefix, front_dump)):
                check_telemetry(p.name, prefix, dump)
        # --back-xstat / --back-xstat-zero: what net_xenback counted in all
        check_xstats(back.cmd("show port xstats 0"), f"{tag}: {back.name}",
                     above=args.back_xstat, zero=args.back_xstat_zero)
        for p in (front, back):
            out = p.cmd("show port xstats 0")
            names = re.findall(r"^(\w+):\s+\d+$", out, re.M)
            if len(names) < 8 or "rx_good_packets" not in names:
                raise Fail(f"{tag} {p.name}: show port xstats lists {names}")

        # port stop disconnects the vif and gives every mbuf back; start reconnects
        for p in (front, back):
            p.cmd("port stop 0", timeout=60)
            used = p.mbufs_in_use()
            if used:
                raise Fail(f"{tag} {p.name}: {used} mbufs still in use after port stop")
        for p in (back, front):
            p.cmd("port start 0", timeout=60)
        back.wait_link(30)
        front.wait_link(30)
        print(f"ok {tag}: no mbuf leaked, port stop/start reconnected", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pair_args(ap)
    ap.add_argument("--orders", default="0", help="comma-separated ring page orders")
    ap.add_argument("--queues", default="1", help="comma-separated queue counts")
    ap.add_argument("--sizes", default="64,1500,9000")
    ap.add_argument("--modes", default="", help="testpmd forwarding modes to run on each side, "
                    "e.g. io,mac,macswap,5tswap,csum,icmpecho")
    ap.add_argument("--telemetry", action="store_true",
                    help="check both ports' stats and xstats through dpdk-telemetry.py")
    ap.add_argument("--seconds", type=float, default=1.0, help="sending time per phase")
    ap.add_argument("--front-devargs", default="",
                    help="more devargs for net_xennet, e.g. rx_zero_copy=1")
    ap.add_argument("--front-xstat", action="append", default=[],
                    help="an xstat of net_xennet that must be above 0 at the end")
    ap.add_argument("--back-devargs", default="",
                    help="more devargs for net_xenback, e.g. persistent_grants=1")
    ap.add_argument("--back-xstat", action="append", default=[],
                    help="an xstat of net_xenback that must be above 0 at the end")
    ap.add_argument("--back-rx-xstat", action="append", default=[],
                    help="an xstat of net_xenback that must be above 0 after each phase "
                    "in which it received frames longer than 256 B")
    ap.add_argument("--back-xstat-zero", action="append", default=[],
                    help="an xstat of net_xenback that must be 0 at the end")
    args = ap.parse_args()
    if args.front_devargs:
        args.front_devargs = "," + args.front_devargs
    if args.back_devargs:
        args.back_devargs = "," + args.back_devargs
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.modes = [m for m in args.modes.split(",") if m]
    if missing(args):
        return 77
    return run_cases(args, "testpmd-pair.",
                     [(f"order {o} queues {q}",
                       lambda log_dir, o=o, q=q: run_pair(args, o, q, log_dir))
                      for o in [int(o) for o in args.orders.split(",")]
                      for q in [int(q) for q in args.queues.split(",")]])

if __name__ == "__main__":
    sys.exit(main())
