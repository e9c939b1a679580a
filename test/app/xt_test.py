#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""Tests of xen-traffic (app/xen-traffic) on DPDK's own ports.

Each case runs one or two xen-traffic processes and checks their JSON summaries:

  ring           one process on a net_ring loopback port: sizes 64/1500/9000/imix, chains of small
                 mbufs, 4 queues, tail loss against --expect, injected faults, a --rate bound
  memif-SIZE     two processes over a memif pair, both sending and verifying (bidir)
  vhost-SIZE     the same over net_vhost (server) and net_virtio_user (client)
  memif-mq       bidir over a 2-queue memif pair with an imix
  reflect        a bidir process against a reflector: its own stream comes back intact
  inject         a generator that drops, corrupts, duplicates and reorders frames on purpose, and
                 a sink that must report exactly those: proof that the verifier verifies
  rx-pause       a sink that stops polling for 5 ms every 50 ms (--rx-pause) behind a memif ring of
                 1024 slots, fed at 1 Mpps by a generator that drops what the ring refuses: the
                 stalls are counted and its losses are exactly the frames dropped; and a net_ring
                 loopback whose 30 ms stalls show as receive gaps
  signal         SIGTERM ends a run cleanly: summary written, nothing leaked, exit 0
  multiport      one process on two net_ring ports (--port twice, one lcore each): a summary
                 array, each port's own streams intact, the receive-gap figure; refusals;
                 a peer that goes silent for good counts as a gap up to the end of traffic
  pcap           --pcap FILE on a net_ring loopback: the file holds every frame received, in order,
                 as Python's own reader and tcpdump (Debian's, from devtools/setup.sh) read it
  ping           --mode ping: round trips over a net_ring loopback and against a reflector over
                 memif (every ping back, p50 <= p99 <= max); against a sink that returns nothing
                 every ping times out and is counted lost
  options        bad options are refused with a message and exit status 1

Every process runs with --no-huge -m 512 --single-file-segments and its own --file-prefix; sockets,
logs and summaries live in a fresh temporary directory, which is removed at the end together with
the EAL's runtime directories. Every process has a --timeout and is killed if it outlives it.

Exit status: 0 pass, 1 fail. XT_TEST_KEEP=1 keeps the temporary directory (logs, summaries).
"""

import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tl_proc import eal_runtime_cleanup, log_tail, wait_or_kill  # noqa: E402

PROC_TIMEOUT = 45       # --timeout given to every process (seconds)
WAIT_SLACK = 15         # extra time before the test kills a process


class Fail(Exception):
    pass


class Xt:
    """One xen-traffic process with its log and JSON summary."""

    def __init__(self, ctx, name, vdev, app_args, eal_extra=(), lcores="0@(0-1)"):
        self.ctx = ctx
        self.name = name
        self.prefix = f"xtapp{os.getpid()}{name}"
        self.summary = os.path.join(ctx.tmp, name + ".json")
        self.logpath = os.path.join(ctx.tmp, name + ".log")
        argv = [ctx.xt, "--lcores", lcores, "--no-huge", "-m", "512",
                "--single-file-segments", "--no-pci", "--file-prefix", self.prefix,
                "--log-level", "lib.eal:notice"]
        if vdev:
            argv += ["--vdev", vdev]
        argv += list(eal_extra)
        argv += ["--"] + list(app_args) + ["--summary", self.summary]
        self.argv = argv
        ctx.prefixes.append(self.prefix)
        self.log = open(self.logpath, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        ctx.procs.append(self)

    def wait(self, timeout=PROC_TIMEOUT + WAIT_SLACK):
        rc = wait_or_kill(self.proc, timeout)
        if rc is None:
            raise Fail(f"{self.name}: still running after {timeout}s, killed\n{self.tail()}")
        self.log.close()
        return rc

    def result(self):
        """Wait, then return (exit status, summary dict; a list of them for several ports)."""
        rc = self.wait()
        try:
            with open(self.summary) as f:
                s = json.load(f)
        except (OSError, ValueError) as e:
            raise Fail(f"{self.name}: exit {rc}, no summary ({e})\n{self.tail()}")
        return rc, s

    def tail(self, n=40):
        return log_tail(self.logpath, n, f"{self.name}: {' '.join(self.argv)}")


class Ctx:
    def __init__(self, xt):
        self.xt = xt
        self.tmp = tempfile.mkdtemp(prefix="xt-test.")
        self.procs = []
        self.prefixes = []
        self.checks = 0

    def cleanup(self):
        for p in self.procs:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
            if not p.log.closed:
                p.log.close()
        if not os.environ.get("XT_TEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        eal_runtime_cleanup(self.prefixes)

    def expect(self, what, got, want, proc=None):
        self.checks += 1
        if got != want:
            raise Fail(f"{what}: got {got!r}, want {want!r}" +
                       ("\n" + proc.tail() if proc else ""))

    def wait_ready(self, proc, timeout=30):
        """Wait until proc has started its port (its "... (port N) mode ..." line).

        A memif client that connects before the server's port is started is refused and does not
        retry, so the client side must not start earlier."""
        deadline = time.monotonic() + timeout
        while True:
            with open(proc.logpath, errors="replace") as f:
                if any(" (port " in line and ") mode " in line for line in f):
                    return
            if proc.proc.poll() is not None:
                raise Fail(f"{proc.name} exited ({proc.proc.returncode}) before starting its "
                           f"port\n{proc.tail()}")
            if time.monotonic() > deadline:
                raise Fail(f"{proc.name}: port not started within {timeout}s\n{proc.tail()}")
            time.sleep(0.05)


CLEAN_RX = ("rx_lost", "rx_lost_tail", "rx_duplicated", "rx_reordered", "rx_late",
            "rx_corrupted", "rx_other")


def check_clean_pair(ctx, a, ra, sa, b, rb, sb, count):
    """a sent count frames to b and b to a; each verified the other's stream, all clean."""
    for p, rc, s, peer in ((a, ra, sa, sb), (b, rb, sb, sa)):
        ctx.expect(f"{p.name} exit status", rc, 0, p)
        ctx.expect(f"{p.name} result", s["result"], "pass", p)
        ctx.expect(f"{p.name} stopped_by", s["stopped_by"], "done", p)
        ctx.expect(f"{p.name} tx_packets", s["tx_packets"], count, p)
        ctx.expect(f"{p.name} rx_unique == peer tx_packets", s["rx_unique"],
                   peer["tx_packets"], p)
        ctx.expect(f"{p.name} rx_valid", s["rx_valid"], count, p)
        for k in CLEAN_RX + ("tx_dropped", "tx_unsent", "leaked_mbufs"):
            ctx.expect(f"{p.name} {k}", s[k], 0, p)


def frames_for(size):
    """Enough frames to exercise the path, few enough to stay well inside the time bound."""
    return {64: 500000, 1500: 100000, 9000: 20000}.get(size, 100000)


def pair(ctx, kind, queues=1, memif_bsize=None):
    """Return (server vdev, client vdev); the server must start first."""
    sock = os.path.join(ctx.tmp, kind + ".sock")
    if kind == "memif":
        # A socket file in our temporary directory (not the abstract namespace), so the client
        # can wait for it and the test leaves nothing behind.
        extra = f",bsize={memif_bsize}" if memif_bsize else ""
        return f"net_memif0,role=server,socket={sock},socket-abstract=no{extra}", \
            f"net_memif0,role=client,socket={sock},socket-abstract=no{extra}"
    return f"net_vhost0,iface={sock},queues={queues}", \
        f"net_virtio_user0,path={sock},queues={queues}"


def run_bidir_pair(ctx, kind, sizes, count, queues=1, memif_bsize=None):
    vdev_a, vdev_b = pair(ctx, kind, queues, memif_bsize)
    common = ["--mode", "bidir", "--size", sizes, "--count", str(count), "--expect",
              str(count), "--queues", str(queues), "--wait-link", "20", "--timeout",
              str(PROC_TIMEOUT)]
    # The sides end a second apart (drains of 1 and 2 s after the last frame): DPDK 22.11's
    # memif frees a closed port while its interrupt thread may still be handling the peer's
    # disconnect, so two memif ports must not close at the same moment.
    a = Xt(ctx, "a", vdev_a, common + ["--stream", "1", "--drain", "1"])
    ctx.wait_ready(a)
    b = Xt(ctx, "b", vdev_b, common + ["--stream", "7", "--drain", "2"])
    rb, sb = b.result()
    ra, sa = a.result()
    check_clean_pair(ctx, a, ra, sa, b, rb, sb, count)


def case_pair(ctx, kind, size):
    # DPDK 22.11's memif never clears MEMIF_DESC_FLAG_NEXT on the first descriptor of a frame it
    # sends, so once frames span several memif buffers (2 KiB by default) a reused descriptor
    # still says "continued" and the receiver merges frames: xen-traffic reports them as
    # duplicated, lost and malformed. 16 KiB memif buffers keep a 9000 B frame in one descriptor;
    # the mbufs on both sides are still 2 KiB, so the frame is a chain of 5 in both processes.
    bsize = 16384 if kind == "memif" and size > 2048 else None
    run_bidir_pair(ctx, kind, str(size), frames_for(size), memif_bsize=bsize)


def case_memif_mq(ctx):
    run_bidir_pair(ctx, "memif", "imix", 200000, queues=2)


def ring(ctx, name, args):
    p = Xt(ctx, name, "net_ring0", ["--timeout", str(PROC_TIMEOUT), "--report", "0"] + args)
    rc, s = p.result()
    return p, rc, s


def case_ring(ctx):
    runs = [("r64", ["--size", "64", "--count", "1000000"], 1000000),
            ("r1500", ["--size", "1500", "--count", "100000"], 100000),
            ("r9000", ["--size", "9000", "--count", "20000"], 20000),
            ("rimix", ["--size", "imix", "--count", "120000"], 120000),
            # 512 B mbufs: 1500 B frames go out and come back as chains of 4.
            ("rchain", ["--size", "1500,9000", "--mbuf-size", "512", "--count", "20000"], 20000),
            ("rmq", ["--size", "64,1500", "--queues", "4", "--count", "200001"], 200001)]
    for name, args, count in runs:
        p, rc, s = ring(ctx, name, args + ["--expect", str(count)])
        ctx.expect(f"{name} exit status", rc, 0, p)
        ctx.expect(f"{name} stopped_by", s["stopped_by"], "done", p)
        ctx.expect(f"{name} tx_packets", s["tx_packets"], count, p)
        ctx.expect(f"{name} rx_unique", s["rx_unique"], count, p)
        for k in CLEAN_RX + ("leaked_mbufs",):
            ctx.expect(f"{name} {k}", s[k], 0, p)

    # Tail loss: 10 frames expected that were never sent.
    p, rc, s = ring(ctx, "rtail", ["--count", "1000", "--expect", "1010"])
    ctx.expect("rtail exit status", rc, 2, p)
    ctx.expect("rtail rx_lost_tail", s["rx_lost_tail"], 10, p)
    ctx.expect("rtail rx_lost", s["rx_lost"], 10, p)
    ctx.expect("rtail result", s["result"], "fail", p)

    # Injected faults, verified in the same process.
    p, rc, s = ring(ctx, "rinj", ["--size", "1500", "--count", "5000", "--inject-drop", "3",
                                  "--inject-corrupt", "2", "--inject-dup", "4",
                                  "--inject-reorder", "5", "--inject-interval", "400"])
    ctx.expect("rinj exit status", rc, 2, p)
    for k, v in (("rx_lost", 5), ("rx_corrupted", 2), ("rx_bad_csum", 2),
                 ("rx_duplicated", 4), ("rx_reordered", 5), ("rx_other", 0),
                 ("tx_packets", 5000 - 3 + 4), ("rx_unique", 5000 - 3 - 2),
                 ("leaked_mbufs", 0)):
        ctx.expect(f"rinj {k}", s[k], v, p)

    # The rate is an upper bound whatever the machine's load: at most rate x duration (+1).
    p, rc, s = ring(ctx, "rrate", ["--rate", "2000", "--duration", "1"])
    ctx.expect("rrate exit status", rc, 0, p)
    if not 0 < s["tx_packets"] <= 2001:
        raise Fail(f"rrate: {s['tx_packets']} frames sent at 2000/s in 1 s\n{p.tail()}")
    ctx.expect("rrate rx_unique", s["rx_unique"], s["tx_packets"], p)


def case_reflect(ctx):
    vdev_a, vdev_b = pair(ctx, "memif")
    count = 200000
    r = Xt(ctx, "refl", vdev_a, ["--mode", "reflect", "--size", "1500", "--idle", "3",
                                 "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(r)
    g = Xt(ctx, "gen", vdev_b, ["--mode", "bidir", "--size", "64,1500", "--count", str(count),
                                "--expect", str(count), "--wait-link", "20",
                                "--timeout", str(PROC_TIMEOUT)])
    rg, sg = g.result()
    rr, sr = r.result()
    ctx.expect("gen exit status", rg, 0, g)
    ctx.expect("gen rx_unique", sg["rx_unique"], count, g)
    for k in CLEAN_RX + ("leaked_mbufs",):
        ctx.expect(f"gen {k}", sg[k], 0, g)
    ctx.expect("reflector exit status", rr, 0, r)
    ctx.expect("reflector stopped_by", sr["stopped_by"], "idle", r)
    ctx.expect("reflector rx_packets", sr["rx_packets"], count, r)
    ctx.expect("reflector tx_packets", sr["tx_packets"], count, r)
    ctx.expect("reflector leaked_mbufs", sr["leaked_mbufs"], 0, r)


def case_inject(ctx):
    """The sink must report exactly what the generator did wrong on purpose."""
    vdev_a, vdev_b = pair(ctx, "memif")
    count, drop, corrupt, dup, reorder = 100000, 7, 5, 3, 4
    # The expected count is never reached (frames are missing): the sink ends when idle.
    s = Xt(ctx, "sink", vdev_a, ["--mode", "sink", "--size", "1500", "--expect", str(count),
                                 "--idle", "2", "--wait-link", "20",
                                 "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(s)
    g = Xt(ctx, "gen", vdev_b, ["--mode", "gen", "--size", "64,1500", "--count", str(count),
                                "--inject-drop", str(drop), "--inject-corrupt", str(corrupt),
                                "--inject-dup", str(dup), "--inject-reorder", str(reorder),
                                "--wait-link", "20", "--timeout", str(PROC_TIMEOUT)])
    rg, sg = g.result()
    rs, ss = s.result()
    ctx.expect("gen exit status", rg, 0, g)
    for k, v in (("inject_drop", drop), ("inject_corrupt", corrupt), ("inject_dup", dup),
                 ("inject_reorder", reorder), ("tx_packets", count - drop + dup),
                 ("leaked_mbufs", 0)):
        ctx.expect(f"gen {k}", sg[k], v, g)
    ctx.expect("sink exit status (verification failed)", rs, 2, s)
    ctx.expect("sink result", ss["result"], "fail", s)
    ctx.expect("sink stopped_by", ss["stopped_by"], "idle", s)
    # A corrupted frame's sequence number cannot be trusted, so it also leaves a gap.
    for k, v in (("rx_packets", sg["tx_packets"]), ("rx_lost", drop + corrupt),
                 ("rx_lost_tail", 0), ("rx_corrupted", corrupt), ("rx_bad_csum", corrupt),
                 ("rx_duplicated", dup), ("rx_reordered", reorder), ("rx_late", 0),
                 ("rx_other", 0), ("rx_unique", count - drop - corrupt),
                 ("rx_valid", count - drop - corrupt + dup), ("leaked_mbufs", 0)):
        ctx.expect(f"sink {k}", ss[k], v, s)


def case_rx_pause(ctx):
    """--rx-pause: the stalls happen, are as long as asked, and lose what the ring cannot hold."""
    vdev_a, vdev_b = pair(ctx, "memif")
    count, rate, pause_us, every = 1000000, 1000000, 5000, 0.05
    # 5 ms at 1 Mpps is 5000 frames, the memif ring holds 1024 (and the sink's 1024 rx
    # descriptors are that ring): every stall must drop frames at the generator, which gives
    # up on a burst the ring refused once (--tx-retries 1) as a wire would.
    s = Xt(ctx, "sink", vdev_a, ["--mode", "sink", "--size", "64", "--expect", str(count),
                                 "--idle", "2", "--wait-link", "20", "--rx-pause",
                                 str(pause_us), "--rx-pause-every", str(every),
                                 "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(s)
    g = Xt(ctx, "gen", vdev_b, ["--mode", "gen", "--size", "64", "--count", str(count),
                                "--rate", str(rate), "--tx-retries", "1", "--wait-link", "20",
                                "--timeout", str(PROC_TIMEOUT)])
    rg, sg = g.result()
    rs, ss = s.result()
    ctx.expect("gen exit status", rg, 0, g)
    ctx.expect("gen leaked_mbufs", sg["leaked_mbufs"], 0, g)
    # One second of traffic (more if the host is slow): at least 10 stalls of 50 ms periods
    # (the first one 50 ms after the first frame; a slow host only makes the run longer).
    if ss["rx_pauses"] < 10:
        raise Fail(f"sink: {ss['rx_pauses']} stalls in {ss['elapsed_s']} s, want >= 10\n"
                   f"{s.tail()}")
    # What the stalls cost: frames the generator dropped, seen by the sink as lost (the
    # sequence numbers are contiguous otherwise: nothing else lost, duplicated or corrupted).
    if sg["tx_dropped"] == 0:
        raise Fail(f"gen dropped nothing across {ss['rx_pauses']} stalls of {pause_us} us\n"
                   f"{g.tail()}")
    ctx.expect("sink exit status (frames lost)", rs, 2, s)
    ctx.expect("sink stopped_by", ss["stopped_by"], "idle", s)
    for k, v in (("rx_lost", sg["tx_dropped"]), ("rx_unique", count - sg["tx_dropped"]),
                 ("rx_packets", sg["tx_packets"]), ("rx_duplicated", 0), ("rx_reordered", 0),
                 ("rx_corrupted", 0), ("leaked_mbufs", 0)):
        ctx.expect(f"sink {k}", ss[k], v, s)
    # The stall is real and as long as asked: one process on a net_ring loopback, 0.75 s at
    # 200 kpps, stalls of 30 ms every 100 ms. Its receive gaps (which end at the end of sending,
    # not after the drain) then include one of at least 30 ms; sending stops with it, so
    # nothing is lost.
    p, rc, sr = ring(ctx, "rloop", ["--size", "64", "--count", "150000", "--rate", "200000",
                                    "--rx-pause", "30000", "--rx-pause-every", "0.1"])
    ctx.expect("rloop exit status", rc, 0, p)
    for k in CLEAN_RX + ("leaked_mbufs",):
        ctx.expect(f"rloop {k}", sr[k], 0, p)
    if sr["rx_pauses"] < 3 or sr["rx_max_gap_s"] < 0.03:
        raise Fail(f"rloop: {sr['rx_pauses']} stalls, longest receive gap "
                   f"{sr['rx_max_gap_s']} s: want >= 3 stalls and a gap >= 0.03 s\n{p.tail()}")


def case_signal(ctx):
    p = Xt(ctx, "sig", "net_ring0", ["--size", "1500", "--timeout", str(PROC_TIMEOUT)])
    # Wait for the first report line: traffic is flowing.
    deadline = time.monotonic() + 30
    while True:
        with open(p.logpath, errors="replace") as f:
            if any(line.startswith("[") for line in f):
                break
        if p.proc.poll() is not None or time.monotonic() > deadline:
            raise Fail(f"sig: no traffic report\n{p.tail()}")
        time.sleep(0.1)
    p.proc.send_signal(signal.SIGTERM)
    rc, s = p.result()
    ctx.expect("sig exit status", rc, 0, p)
    ctx.expect("sig stopped_by", s["stopped_by"], "signal", p)
    ctx.expect("sig leaked_mbufs", s["leaked_mbufs"], 0, p)
    # The first signal ends the traffic and drains: every frame sent was received.
    if s["tx_packets"] == 0 or s["rx_unique"] != s["tx_packets"]:
        raise Fail(f"sig: sent {s['tx_packets']}, received {s['rx_unique']}\n{p.tail()}")
    for k in CLEAN_RX:
        ctx.expect(f"sig {k}", s[k], 0, p)


def case_multiport(ctx):
    count = 200000
    p = Xt(ctx, "mp", None, ["--port", "net_ring1", "--port", "net_ring0", "--size", "64,1500",
                             "--count", str(count), "--expect", str(count), "--stream", "10",
                             "--report", "0.5", "--timeout", str(PROC_TIMEOUT)],
           eal_extra=["--vdev", "net_ring0", "--vdev", "net_ring1"], lcores="(0,1)@(0-1)")
    rc, s = p.result()
    ctx.expect("mp exit status", rc, 0, p)
    ctx.expect("mp summary is one object per port", [type(x) for x in s], [dict, dict], p)
    ctx.expect("mp ports in --port order", [x["port_name"] for x in s],
               ["net_ring1", "net_ring0"], p)
    for x in s:
        n = x["port_name"]
        ctx.expect(f"mp {n} result", x["result"], "pass", p)
        ctx.expect(f"mp {n} tx_packets", x["tx_packets"], count, p)
        ctx.expect(f"mp {n} rx_unique", x["rx_unique"], count, p)
        for k in CLEAN_RX + ("leaked_mbufs",):
            ctx.expect(f"mp {n} {k}", x[k], 0, p)
        if not 0 <= x["rx_max_gap_s"] < 5:
            raise Fail(f"mp {n}: rx_max_gap_s {x['rx_max_gap_s']}\n{p.tail()}")
    # Report lines name their port.
    with open(p.logpath, errors="replace") as f:
        log = f.read()
    for n in ("net_ring0", "net_ring1"):
        if f"{n} [" not in log:
            raise Fail(f"mp: no report line of {n}\n{p.tail()}")

    # A peer that stops sending for good: the silence up to the end is a gap.
    vdev_a, vdev_b = pair(ctx, "memif")
    sk = Xt(ctx, "gapsink", vdev_a, ["--mode", "sink", "--duration", "4", "--drain", "0.2",
                                     "--wait-link", "20", "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(sk)
    g = Xt(ctx, "gapgen", vdev_b, ["--mode", "gen", "--count", "1000", "--wait-link", "20",
                                   "--drain", "6", "--timeout", str(PROC_TIMEOUT)])
    rs, ss = sk.result()
    g.result()
    ctx.expect("gapsink rx_unique", ss["rx_unique"], 1000, sk)
    if not 1.5 < ss["rx_max_gap_s"] < 4.5:
        raise Fail(f"gapsink: rx_max_gap_s {ss['rx_max_gap_s']}, want the silence after the "
                   f"1000 frames (about 3 s)\n{sk.tail()}")

    # Each port has its own lcore and its own port; streams stay below 256.
    for i, (args, lc, needle) in enumerate([
            (["--port", "net_ring0", "--port", "net_ring1"], "0@(0-1)", "need 2 lcores"),
            (["--port", "net_ring0", "--port", "0"], "(0,1)@(0-1)", "given twice"),
            (["--port", "0", "--port", "1", "--stream", "255"], "(0,1)@(0-1)", "--stream")]):
        prefix = f"xtapp{os.getpid()}mp{i}"
        ctx.prefixes.append(prefix)
        argv = [ctx.xt, "--lcores", lc, "--no-huge", "-m", "256", "--no-pci",
                "--file-prefix", prefix, "--log-level", "lib.eal:error", "--vdev", "net_ring0",
                "--vdev", "net_ring1", "--"] + args + ["--count", "10"]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        out = r.stdout + r.stderr
        ctx.expect(f"exit status of {args}", r.returncode, 1, None)
        if needle not in out:
            raise Fail(f"{args}: message does not mention {needle!r}:\n{out[-1500:]}")


def read_pcap(path):
    """The records of a classic libpcap file (nanosecond or microsecond, either byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise Fail(f"{path}: {len(data)} bytes, no pcap header")
    for order in ("<", ">"):
        magic, vmaj, vmin, _, _, snaplen, linktype = struct.unpack(order + "IHHiIII", data[:24])
        if magic in (0xa1b23c4d, 0xa1b2c3d4):
            break
    else:
        raise Fail(f"{path}: not a pcap file (magic {data[:4].hex()})")
    if (vmaj, vmin, linktype) != (2, 4, 1):
        raise Fail(f"{path}: version {vmaj}.{vmin}, link type {linktype}")
    recs, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise Fail(f"{path}: truncated record header at {off}")
        _, _, incl, orig = struct.unpack(order + "IIII", data[off:off + 16])
        off += 16
        if incl != orig or incl > snaplen or off + incl > len(data):
            raise Fail(f"{path}: record at {off - 16}: {incl} of {orig} bytes")
        recs.append(data[off:off + incl])
        off += incl
    return recs


def case_pcap(ctx):
    count = 2000
    path = os.path.join(ctx.tmp, "rx.pcap")
    p, rc, s = ring(ctx, "pcap", ["--size", "64,1500,9000", "--count", str(count),
                                  "--expect", str(count), "--pcap", path])
    ctx.expect("pcap exit status", rc, 0, p)
    ctx.expect("pcap rx_unique", s["rx_unique"], count, p)
    recs = read_pcap(path)
    ctx.expect("frames in the pcap file", len(recs), s["rx_packets"], p)
    for i, r in enumerate(recs):
        # Ethernet / IPv4 / UDP to port 9 / the test header: magic, stream, length, sequence
        want_len = (64, 1500, 9000)[i % 3]
        if len(r) != want_len or r[12:14] != b"\x08\x00" or r[23] != 17:
            raise Fail(f"record {i}: {len(r)} bytes, ethertype {r[12:14].hex()}, want {want_len}")
        magic, stream, length, seq = struct.unpack(">IHHQ", r[42:58])
        if (magic, stream, length, seq) != (0x58544731, 0, want_len, i):
            raise Fail(f"record {i}: magic {magic:#x} stream {stream} len {length} seq {seq}")
        ctx.checks += 1
    if f"{len(recs)} frames written to {path}" not in open(p.logpath).read():
        raise Fail(f"no line saying what was written\n{p.tail()}")
    # an independent reader
    tcpdump = shutil.which("tcpdump") or "/usr/bin/tcpdump"
    r = subprocess.run([tcpdump, "-n", "-r", path], capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    ctx.expect("tcpdump exit status", r.returncode, 0, None)
    ctx.expect("frames tcpdump reads", len(lines), count, None)
    bad = [ln for ln in lines if not re.search(r" IP 198\.18\.0\.1\.\d+ > 198\.18\.0\.2\.9: ", ln)]
    if bad:
        raise Fail(f"tcpdump reads {len(bad)} frames that are not the test frames: {bad[:3]}")

RTT_KEYS = ("rtt_min_us", "rtt_p50_us", "rtt_p99_us", "rtt_max_us")


def check_pings(ctx, name, p, rc, s, count):
    """Every one of count pings came back, and the percentiles are ordered."""
    ctx.expect(f"{name} exit status", rc, 0, p)
    ctx.expect(f"{name} mode", s["mode"], "ping", p)
    ctx.expect(f"{name} stopped_by", s["stopped_by"], "done", p)
    ctx.expect(f"{name} ping_sent", s["ping_sent"], count, p)
    ctx.expect(f"{name} rtt_count", s["rtt_count"], count, p)
    for k in ("ping_lost", "ping_stale", "rx_corrupted", "rx_other", "leaked_mbufs"):
        ctx.expect(f"{name} {k}", s[k], 0, p)
    rtt = [s[k] for k in RTT_KEYS]
    ctx.checks += 1
    if not (0 < rtt[0] <= rtt[1] <= rtt[2] <= rtt[3] and rtt[0] <= s["rtt_mean_us"] <= rtt[3]):
        raise Fail(f"{name}: round trips not ordered: {dict(zip(RTT_KEYS, rtt))}, mean "
                   f"{s['rtt_mean_us']}\n{p.tail()}")


def case_ping(ctx):
    # A net_ring port returns what it sends: a round trip through one PMD's rings.
    p, rc, s = ring(ctx, "rping", ["--mode", "ping", "--count", "500", "--rate", "1000",
                                    "--ping-timeout", "5"])
    check_pings(ctx, "rping", p, rc, s, 500)
    # The rate is a bound: 500 pings at 1000/s take at least half a second.
    ctx.checks += 1
    if s["tx_packets"] != 500 or s["elapsed_s"] < 0.499:
        raise Fail(f"rping: 500 pings at 1000/s in {s['elapsed_s']} s\n{p.tail()}")

    # Over memif to a reflector, which sends back exactly the pings.
    vdev_a, vdev_b = pair(ctx, "memif")
    r = Xt(ctx, "refl", vdev_a, ["--mode", "reflect", "--idle", "2", "--report", "0",
                                 "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(r)
    # (a reply late by a loaded machine's scheduling is not a loss here)
    g = Xt(ctx, "ping", vdev_b, ["--mode", "ping", "--size", "1500", "--count", "500",
                                 "--rate", "1000", "--wait-link", "20", "--report", "0",
                                 "--ping-timeout", "5",
                                 "--timeout", str(PROC_TIMEOUT)])
    rg, sg = g.result()
    rr, sr = r.result()
    check_pings(ctx, "ping", g, rg, sg, 500)
    ctx.expect("reflector exit status", rr, 0, r)
    ctx.expect("reflector rx_packets", sr["rx_packets"], 500, r)
    ctx.expect("reflector tx_packets", sr["tx_packets"], 500, r)

    # A sink returns nothing: each ping is lost after --ping-timeout, and the run fails.
    sock = os.path.join(ctx.tmp, "lost.sock")
    k = Xt(ctx, "sink", f"net_memif0,role=server,socket={sock},socket-abstract=no",
           ["--mode", "sink", "--idle", "2", "--report", "0", "--timeout", str(PROC_TIMEOUT)])
    ctx.wait_ready(k)
    g = Xt(ctx, "lostping", f"net_memif0,role=client,socket={sock},socket-abstract=no",
           ["--mode", "ping", "--count", "5", "--ping-timeout", "0.05", "--drain", "0.1",
            "--wait-link", "20", "--report", "0", "--timeout", str(PROC_TIMEOUT)])
    rg, sg = g.result()
    rk, sk = k.result()
    ctx.expect("lostping exit status", rg, 2, g)
    ctx.expect("lostping result", sg["result"], "fail", g)
    ctx.expect("lostping ping_sent", sg["ping_sent"], 5, g)
    ctx.expect("lostping ping_lost", sg["ping_lost"], 5, g)
    ctx.expect("lostping rtt_count", sg["rtt_count"], 0, g)
    ctx.expect("sink rx_unique", sk["rx_unique"], 5, k)


def case_options(ctx):
    bad = [
        (["--mode", "sideways"], "--mode"),
        (["--size", "20"], "--size"),
        (["--size", "64:0"], "--size"),
        (["--size", "70000"], "--size"),
        (["--size", "64,"], None),
        (["--rate", "-5"], "--rate"),
        (["--rate", "12q"], "--rate"),
        (["--count", "0"], "--count"),
        (["--duration", "abc"], "--duration"),
        (["--duration", "-1"], "--duration"),
        (["--queues", "0"], "--queues"),
        (["--queues", "99"], "--queues"),
        (["--burst", "100000"], "--burst"),
        (["--dst-mac", "01:02"], "--dst-mac"),
        (["--src-ip", "300.1.1.1"], "--src-ip"),
        (["--stream", "255", "--queues", "2"], "--stream"),
        (["--mbuf-size", "100"], "--mbuf-size"),
        (["--mode", "sink", "--count", "10"], "--count"),
        (["--mode", "gen", "--expect", "10"], "--expect"),
        (["--count", "100", "--inject-drop", "1"], "--count"),
        (["--inject-interval", "3"], "--inject-interval"),
        (["--no-such-option"], "unknown option"),
        (["--count"], "needs an argument"),
        (["stray"], "unexpected argument"),
        (["--port", "7"], "--port"),
        (["--port", "net_nothere0"], "--port"),
        (["--summary", "/nonexistent/dir/s.json"], "--summary"),
        (["--pcap", "/nonexistent/dir/rx.pcap"], "--pcap"),
        (["--mode", "gen", "--rx-pause", "1000"], "--rx-pause"),
        (["--rx-pause", "1000", "--rx-pause-every", "0.001"], "--rx-pause-every"),
        (["--rx-pause", "2000000"], "--rx-pause"),
        (["--mode", "gen", "--pcap", "rx.pcap"], "--pcap"),
        # no such pool (net_null makes none): a clear set-up error
        (["--mode", "gen", "--tx-pool", "auto"], "--tx-pool"),
        (["--mode", "gen", "--tx-pool", "nosuchpool"], "--tx-pool"),
        (["--mode", "ping", "--queues", "2"], "--mode ping"),
        (["--mode", "ping", "--ping-timeout", "0"], "--ping-timeout"),
        (["--mode", "sink", "--rate", "10"], "--rate"),
        # The port (net_null) cannot send chained mbufs: a clear set-up error.
        (["--size", "9000", "--count", "10"], "--mbuf-size"),
    ]
    for i, (args, needle) in enumerate(bad):
        prefix = f"xtapp{os.getpid()}opt{i}"
        ctx.prefixes.append(prefix)
        argv = [ctx.xt, "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
                "--log-level", "lib.eal:error", "--vdev", "net_null0", "--"] + args
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        out = r.stdout + r.stderr
        ctx.expect(f"exit status of {args}", r.returncode, 1, None)
        if needle and needle not in out:
            raise Fail(f"{args}: message does not mention {needle!r}:\n{out[-1500:]}")
    prefix = f"xtapp{os.getpid()}help"
    ctx.prefixes.append(prefix)
    r = subprocess.run([ctx.xt, "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
                        "--log-level", "lib.eal:error", "--", "--help"],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    ctx.expect("--help exit status", r.returncode, 0, None)
    if "--inject-drop" not in r.stdout:
        raise Fail("--help does not list the options")


CASES = {
    "ring": case_ring,
    "memif-64": lambda c: case_pair(c, "memif", 64),
    "memif-1500": lambda c: case_pair(c, "memif", 1500),
    "memif-9000": lambda c: case_pair(c, "memif", 9000),
    "vhost-64": lambda c: case_pair(c, "vhost", 64),
    "vhost-1500": lambda c: case_pair(c, "vhost", 1500),
    "vhost-9000": lambda c: case_pair(c, "vhost", 9000),
    "memif-mq": case_memif_mq,
    "reflect": case_reflect,
    "inject": case_inject,
    "rx-pause": case_rx_pause,
    "signal": case_signal,
    "multiport": case_multiport,
    "pcap": case_pcap,
    "ping": case_ping,
    "options": case_options,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xt", required=True, help="the xen-traffic binary")
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    ctx = Ctx(os.path.abspath(args.xt))
    t0 = time.monotonic()
    try:
        CASES[args.case](ctx)
    except Fail as e:
        print(f"FAIL {args.case}: {e}")
        return 1
    finally:
        ctx.cleanup()
    print(f"PASS {args.case}: {ctx.checks} checks in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
