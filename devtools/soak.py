#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""Kill and restart under traffic: net_xenback <-> net_xennet over xenemu (issue 16).

Four xen-traffic processes send verified frames both ways (doc/xen-traffic.rst):

  sb  dom0      net_xenback0 (vif 1/0, peer kg) and net_xenback1 (vif 2/0, peer sg)   survives
  sg  domain 2  net_xennet0 (vif 2/0, peer sb) and net_xennet1 (vif 2/1, peer kb)     survives
  kg  domain 1  net_xennet0 (vif 1/0, peer sb)                                        killed
  kb  dom0      net_xenback0 (vif 2/1, peer sg)                                       killed

The link sb.net_xenback1 <-> sg.net_xennet0 is the steady link: neither end is ever killed. Then,
--cycles times, one event at a random moment (--seed), in this order of eight, repeated:

  kill-guest, kill-backend, kill-guest, kill-backend, xs-rm, kill-guest, kill-backend, destroy

  kill-guest    SIGKILL to kg, then a new kg (sb keeps running: its other port is the steady link)
  kill-backend  SIGKILL to kb, then a new kb (sg keeps running: its other port is the steady link)
  xs-rm         the backend directory of vif 1/0 is removed from xenstore under sb's running
                port and kg; after --settle seconds the vif is detached (--force) and attached
                again, and kg restarted
  destroy       domain 1 is destroyed while kg is connected, then created again with its vif,
                and kg restarted

After each event, traffic must flow again both ways on the restarted link within
--resume-timeout seconds: the new process received frames, and the survivor's port received
frames again. A restarted process sends a new stream id, so what the survivor counts on the
restarted link is the new stream; only corruption is judged there (frames in flight at a kill are
lost by design).

At the end (the survivors and the last kg/kb stopped with SIGINT, each then prints its summary):
  * no corrupted frame anywhere: every process's summary, and the last report line of every
    killed process (it had no chance to print a summary);
  * the steady link lost, duplicated and reordered nothing on both ends, and its longest receive
    gap (rx_max_gap_s) stayed under --max-gap;
  * the survivors leaked no mbuf (leaked_mbufs of each port: the pool is full again once the
    port is closed);
  * no grant, page, pin or event channel leaked: `xenemu domain stat` of domains 0, 1 and 2 is the
    same after the last event (with every link up again) as before the first, and all zero once
    every process has exited;
  * no process crashed (the survivors exit 0 or 2, the latter only for losses on the restarted
    links, which the checks above judge).

With --hostile, the two-guest variant instead: one net_xenback process (hb) serves guest A
(domain 1), guest B (domain 2) and, once it is created, guest C (domain 3), each running
xen-traffic on net_xennet. For --hostile-time seconds guest A misbehaves, an action at a time at
random: a xenstore write storm on its vif's frontend directory (its state rewritten, junk keys,
hundreds of writes per call), a reconnect loop (its process killed and started again at once,
several times), or xenbus state flips (Closing, Initialising, Connected) behind its driver's back.
Its first action is a protocol violation: its xen-traffic is killed and test/xenback's xbfront
takes the vif over and sends a request net_xenback must close the vif for (one of xbfront's fatal
hostile cases, at random); then xen-traffic starts over on the vif.
Half-way, domain 3 is created with its vif and guest C started. Checks:
  * guest B's traffic (both ends: gb and hb's net_xenback1) lost, duplicated, reordered and
    corrupted nothing, and in every whole second its receive rate stayed within 10 % of --rate
    (at least 90 %, both ends);
  * guest C's vif reached Connected (backend state 4) within --connect-timeout seconds of its
    attach, and its traffic flowed;
  * no corruption anywhere, no mbuf leaked by hb, every grant, pin and port released at the end;
  * hb logged each violation once, on guest A's port, and none on another port.

Exit status: 0 pass, 1 fail, 77 the drivers or xen-traffic are not built.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "lib"))
from tl_proc import eal_runtime_cleanup, log_tail, wait_or_kill  # noqa: E402

REPORT = 0.2                # xen-traffic --report interval (s)
LINE_RE = re.compile(r"^(?:(\S+) )?\[\s*([\d.]+)s\] tx .*? sent (\d+) .*? \| rx .*? recv (\d+) "
                     r"lost (\d+) dup (\d+) reord (\d+) corrupt (\d+)")
EVENTS = ["kill-guest", "kill-backend", "kill-guest", "kill-backend", "xs-rm", "kill-guest",
          "kill-backend", "destroy"]
STAT_KEYS = ("grants", "pages", "pins", "revoking", "ports", "handles", "dead_handles")


class Fail(Exception):
    pass


T0 = time.monotonic()


def log(msg):
    print(f"soak: [{time.monotonic() - T0:7.2f}s] {msg}", flush=True)


class Proc:
    """One xen-traffic process in a domain; restartable, with one log per incarnation."""

    def __init__(self, soak, name, domid, plugin, vdevs, stream, wait_link=None):
        self.soak, self.name, self.domid = soak, name, domid
        # how long xen-traffic waits for each port's link (default --resume-timeout)
        self.wait_link = wait_link
        self.plugin, self.vdevs, self.stream0 = plugin, vdevs, stream
        self.ports = [v.split(",")[0] for v in vdevs]
        self.incarnation = 0
        self.proc = None
        self.logs = []          # every incarnation's log path
        self.summaries = []     # every incarnation's summary path

    def start(self):
        s = self.soak
        n = self.incarnation
        self.incarnation += 1
        base = f"{self.name}.{n}"
        self.logpath = os.path.join(s.work, base + ".log")
        self.summary = os.path.join(s.work, base + ".json")
        self.prefix = f"soak{os.getpid()}{self.name}{n}"
        s.prefixes.append(self.prefix)
        nports = len(self.vdevs)
        # Stream ids: a new one per incarnation, so the survivor can tell them apart.
        stream = (self.stream0 + n * nports) % (256 - nports)
        argv = [s.xenemu, "exec", "--domid", str(self.domid), "--", s.xt,
                "--lcores", "(0-%d)@(0-1)" % (nports - 1) if nports > 1 else "0@(0-1)",
                "--no-huge", "-m", "256", "--single-file-segments", "--no-pci",
                "--file-prefix", self.prefix, "-d", self.plugin,
                "--log-level", "lib.eal:notice", "--log-level", "pmd.net.*:notice"]
        for v in self.vdevs:
            argv += ["--vdev", v]
        argv += ["--"]
        for p in self.ports:
            argv += ["--port", p]
        argv += ["--mode", "bidir", "--size", s.args.size, "--rate", str(s.args.rate),
                 "--duration", "86400",
                 "--wait-link", str(self.wait_link or s.args.resume_timeout),
                 "--report", str(REPORT), "--drain", "0.5", "--stream", str(stream),
                 "--summary", self.summary]
        self.logs.append(self.logpath)
        self.summaries.append(self.summary)
        self.log = open(self.logpath, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=s.env)
        self.started = time.monotonic()

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
            self.log.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def interrupt(self):
        """SIGINT: the traffic ends, the summary follows."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def stop(self, timeout=30):
        """SIGINT (unless sent already); return the exit status."""
        self.interrupt()
        rc = wait_or_kill(self.proc, timeout)
        self.log.close()
        if rc is None:
            raise Fail(f"{self.name}: did not stop within {timeout}s of SIGINT\n{self.tail()}")
        return rc

    def lines(self, path=None):
        """Report lines of an incarnation: {port name or None: [match, ...]}."""
        out = {}
        try:
            with open(path or self.logpath, errors="replace") as f:
                for line in f:
                    m = LINE_RE.match(line)
                    if m:
                        out.setdefault(m.group(1), []).append(m)
        except OSError:
            pass
        return out

    def recv(self, port=None):
        """The last cumulative receive count of a port of the current incarnation (-1: none)."""
        ls = self.lines().get(port if len(self.ports) > 1 else None)
        return int(ls[-1].group(4)) if ls else -1

    def tail(self, n=30, path=None):
        path = path or self.logpath
        return log_tail(path, n, f"{self.name} ({path}):")


class Soak:
    def __init__(self, args):
        self.args = args
        b = args.build_dir
        self.xenemu = os.path.join(b, "xenemu", "xenemu")
        self.xt = os.path.join(b, "app", "xen-traffic", "xen-traffic")
        self.xenback = os.path.join(b, "drivers", "librte_net_xenback.so")
        self.xennet = os.path.join(b, "drivers", "librte_net_xennet.so")
        # our test netfront (test/xenback), for --hostile's protocol violations
        self.xbfront = os.path.join(b, "test", "xenback", "xbfront")
        for f in (self.xenemu, self.xt, self.xenback, self.xennet) + \
                ((self.xbfront,) if args.hostile else ()):
            if not os.path.exists(f):
                print(f"soak: {f} is not built: skipped")
                sys.exit(77)
        self.work = tempfile.mkdtemp(prefix="soak.", dir=args.log_dir)
        self.xdir = tempfile.mkdtemp(prefix="xenemu-soak.", dir="/dev/shm")
        self.env = dict(os.environ, XENEMU_DIR=self.xdir)
        self.prefixes = []
        self.procs = []
        self.rng = random.Random(args.seed)
        self.checks = 0
        self.xenemu_up = False

    # --- xenemu --------------------------------------------------------------------------

    def xe(self, *argv, check=True):
        r = subprocess.run([self.xenemu] + list(argv), env=self.env, capture_output=True,
                           text=True, timeout=60)
        if check and r.returncode != 0:
            raise Fail(f"xenemu {' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def stat(self, domid):
        out = self.xe("domain", "stat", "--domid", str(domid))
        return {k: int(v) for k, v in (ln.split("=") for ln in out.split())}

    def stats(self, doms=(0, 1, 2)):
        return {d: self.stat(d) for d in doms}

    def vif_attach(self, front, devid):
        self.xe("vif", "attach", "--frontend", str(front), "--backend", "0", "--devid",
                str(devid), "--mac", f"00:16:3e:00:{front:02x}:{devid:02x}")

    def xs(self, domid, *argv):
        """A Debian xenstore tool (xenstore-write, -read, -rm) run as domain domid."""
        r = subprocess.run([self.xenemu, "exec", "--domid", str(domid), "--"] + list(argv),
                           env=self.env, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout.strip()

    def setup(self):
        self.xe("start")
        self.xenemu_up = True
        for d in (1, 2):
            self.xe("domain", "create", "--domid", str(d), "--name", f"soak{d}")
        self.vif_attach(1, 0)
        self.vif_attach(2, 0)
        self.vif_attach(2, 1)
        q = f"max_queues={self.args.queues}"
        gq = f"queues={self.args.queues}"
        self.sb = Proc(self, "sb", 0, self.xenback,
                       [f"net_xenback0,domid=1,devid=0,{q}", f"net_xenback1,domid=2,devid=0,{q}"],
                       10)
        self.sg = Proc(self, "sg", 2, self.xennet,
                       [f"net_xennet0,devid=0,{gq}", f"net_xennet1,devid=1,{gq}"], 20)
        self.kg = Proc(self, "kg", 1, self.xennet, [f"net_xennet0,devid=0,{gq}"], 30)
        self.kb = Proc(self, "kb", 0, self.xenback, [f"net_xenback0,domid=2,devid=1,{q}"], 130)
        self.procs = [self.sb, self.sg, self.kg, self.kb]
        for p in self.procs:
            p.start()
        self.survivors = [self.sb, self.sg]

    def cleanup(self):
        for p in self.procs:
            if p.proc is not None and p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        if self.xenemu_up:
            self.xe("stop", check=False)
        shutil.rmtree(self.xdir, ignore_errors=True)
        eal_runtime_cleanup(self.prefixes)

    # --- waiting for traffic -------------------------------------------------------------

    def check_alive(self):
        for p in self.survivors:
            if not p.alive():
                raise Fail(f"{p.name} (a survivor) exited with {p.proc.returncode}\n{p.tail()}")

    def wait_flowing(self, restarted, survivor, port, since, what):
        """Wait until the restarted process received frames and the survivor's port received
        more than `since` frames plus a margin: traffic flows both ways again."""
        deadline = time.monotonic() + self.args.resume_timeout
        t0 = time.monotonic()
        while True:
            self.check_alive()
            got_new = restarted.recv() > 0
            got_surv = survivor.recv(port) > since + 50
            if got_new and got_surv:
                return time.monotonic() - t0
            if restarted.proc.poll() is not None:
                raise Fail(f"{what}: the new {restarted.name} exited with "
                           f"{restarted.proc.returncode}\n{restarted.tail()}")
            if time.monotonic() > deadline:
                raise Fail(f"{what}: traffic did not resume within {self.args.resume_timeout}s "
                           f"(new {restarted.name} received: {got_new}, {survivor.name} "
                           f"{port} received again: {got_surv})\n{restarted.tail()}\n"
                           f"{survivor.tail()}")
            time.sleep(0.05)

    def wait_all_flowing(self):
        self.wait_flowing(self.kg, self.sb, "net_xenback0", 0, "start (vif 1/0)")
        self.wait_flowing(self.kb, self.sg, "net_xennet1", 0, "start (vif 2/1)")
        deadline = time.monotonic() + self.args.resume_timeout
        while self.sb.recv("net_xenback1") <= 0 or self.sg.recv("net_xennet0") <= 0:
            self.check_alive()
            if time.monotonic() > deadline:
                raise Fail(f"start: the steady link does not flow\n{self.sb.tail()}\n"
                           f"{self.sg.tail()}")
            time.sleep(0.05)

    # --- events --------------------------------------------------------------------------

    def killed_corruption(self, p):
        """Corrupted frames in the last report line of a killed incarnation."""
        ls = p.lines().get(None)
        if ls and int(ls[-1].group(8)) != 0:
            raise Fail(f"{p.name}: {ls[-1].group(8)} corrupted frames before it was killed\n"
                       f"{p.tail()}")
        self.checks += 1

    def event(self, i, kind):
        # A random moment: the traffic has run for a while since the last event.
        time.sleep(self.rng.uniform(self.args.min_delay, self.args.max_delay))
        self.check_alive()
        if kind == "kill-backend":
            victim, survivor, port = self.kb, self.sg, "net_xennet1"
        else:
            victim, survivor, port = self.kg, self.sb, "net_xenback0"
        since = survivor.recv(port)
        if kind in ("kill-guest", "kill-backend"):
            victim.kill9()
        elif kind == "xs-rm":
            self.xe("exec", "--domid", "0", "--", "xenstore-rm", "/local/domain/0/backend/vif/1/0")
            time.sleep(self.args.settle)
            self.check_alive()
            victim.kill9()
            self.xe("vif", "detach", "--frontend", "1", "--devid", "0", "--force",
                    "--timeout", "5")
            self.vif_attach(1, 0)
        elif kind == "destroy":
            self.xe("domain", "destroy", "--domid", "1", "--timeout", "10")
            time.sleep(self.args.settle)
            self.check_alive()
            victim.kill9()
            self.xe("domain", "create", "--domid", "1", "--name", "soak1")
            self.vif_attach(1, 0)
        self.killed_corruption(victim)
        since = max(since, survivor.recv(port))
        victim.start()
        took = self.wait_flowing(victim, survivor, port, since, f"event {i} ({kind})")
        log(f"event {i + 1}/{self.args.cycles}: {kind}: traffic resumed after {took:.2f}s")

    def stop_all(self):
        """SIGINT to every process at once (a survivor stopped before another would be a
        vanished peer for it), then their exit statuses."""
        for p in self.procs:
            p.interrupt()
        return {p.name: p.stop() for p in self.procs}

    # --- the two-guest variant (--hostile) ----------------------------------------------

    def setup_hostile(self):
        a = self.args
        self.xe("start")
        self.xenemu_up = True
        for d in (1, 2):
            self.xe("domain", "create", "--domid", str(d), "--name", f"soak{d}")
            self.vif_attach(d, 0)
        q = f"max_queues={a.queues}"
        gq = f"queues={a.queues}"
        # Guest C's vif does not exist yet: its port waits for it, created
        # half-way through --hostile-time, and then resumes within the bound.
        self.hb = Proc(self, "hb", 0, self.xenback,
                       [f"net_xenback{d - 1},domid={d},devid=0,{q}" for d in (1, 2, 3)], 10,
                       wait_link=a.resume_timeout + a.hostile_time)
        self.ga = Proc(self, "ga", 1, self.xennet, [f"net_xennet0,devid=0,{gq}"], 30)
        self.gb = Proc(self, "gb", 2, self.xennet, [f"net_xennet0,devid=0,{gq}"], 20)
        self.gc = Proc(self, "gc", 3, self.xennet, [f"net_xennet0,devid=0,{gq}"], 25)
        self.procs = [self.hb, self.ga, self.gb]
        for p in self.procs:
            p.start()
        self.survivors = [self.hb, self.gb]

    def storm(self):
        """Hundreds of writes into guest A's frontend directory, as guest A."""
        fe = "/local/domain/1/device/vif/0"
        pairs = []
        for k in range(200):
            pairs += [f"{fe}/state", "4"] if k % 2 == 0 else [f"{fe}/junk-{k % 17}", str(k)]
        for _ in range(5):
            self.xs(1, "xenstore-write", *pairs)
        return "xenstore write storm (1000 writes)"

    def reconnect_loop(self):
        n = self.rng.randint(3, 6)
        for _ in range(n):
            self.ga.kill9()
            self.ga.start()
            time.sleep(self.rng.uniform(0.05, 0.4))
        return f"reconnect loop ({n} kills and restarts)"

    # xbfront's hostile cases after which net_xenback must close the vif (doc/xenback.rst)
    FATAL = ("prod-overflow", "fatal-slots", "cross-page", "first-cross-page", "bad-extra",
             "endless-extra")

    def violate(self):
        """Guest A's driver replaced by one that breaks the protocol on the TX ring: the backend
        must close guest A's vif (and nothing else); guest A's xen-traffic then starts over."""
        kind = self.rng.choice(self.FATAL)
        self.ga.kill9()
        r = subprocess.run([self.xenemu, "exec", "--domid", "1", "--", self.xbfront, "-t", "20",
                            "--no-echo", f"hostile-{kind}"],
                           env=self.env, capture_output=True, text=True, timeout=90)
        if r.returncode != 0 or "xbfront: PASS" not in r.stdout:
            raise Fail(f"guest A's violation ({kind}): xbfront exit {r.returncode}:\n"
                       f"{r.stdout[-2000:]}{r.stderr[-1000:]}\n{self.hb.tail()}")
        self.ga.start()
        self.violations += 1
        return f"protocol violation on its TX ring ({kind}): vif closed by the backend"

    def state_flips(self):
        fe = "/local/domain/1/device/vif/0/state"
        for v in ("5", "1", "4", "6", "1", "4"):
            self.xs(1, "xenstore-write", fe, v)
            time.sleep(0.05)
        return "xenbus state flips (Closing, Initialising, Connected, Closed)"

    def start_guest_c(self):
        self.xe("domain", "create", "--domid", "3", "--name", "soak3")
        t0 = time.monotonic()
        self.vif_attach(3, 0)
        self.gc.start()
        self.procs.append(self.gc)
        while True:
            rc, out = self.xs(0, "xenstore-read", "/local/domain/0/backend/vif/3/0/state")
            if rc == 0 and out == "4":
                took = time.monotonic() - t0
                break
            if time.monotonic() - t0 > self.args.connect_timeout:
                raise Fail(f"guest C's vif not Connected within {self.args.connect_timeout}s "
                           f"of its attach (backend state {out!r})\n{self.hb.tail()}")
            time.sleep(0.02)
        self.checks += 1
        log(f"guest C (domain 3) created meanwhile: Connected {took:.2f}s after its attach")

    def run_hostile(self):
        a = self.args
        self.setup_hostile()
        self.wait_flowing(self.ga, self.hb, "net_xenback0", 0, "start (guest A)")
        self.wait_flowing(self.gb, self.hb, "net_xenback1", 0, "start (guest B)")
        time.sleep(1)
        baseline = {d: self.stat(d) for d in (0, 2)}
        log(f"guests A and B up; domains 0 and 2: {baseline}")
        # Guest B's rate is judged on what its ends report while guest A misbehaves.
        b_ends = ((self.gb, None), (self.hb, "net_xenback1"))
        b_since = {e: len(e[0].lines().get(e[1], [])) for e in b_ends}
        t_end = time.monotonic() + a.hostile_time
        t_c = time.monotonic() + a.hostile_time / 2
        actions = [self.storm, self.reconnect_loop, self.state_flips]
        c_started = False
        self.violations = 0
        first = True
        while time.monotonic() < t_end or not c_started:
            self.check_alive()
            if not c_started and time.monotonic() >= t_c:
                self.start_guest_c()
                c_started = True
                continue
            # a violation first, while guest A's reconnect budget is whole (later ones may
            # find its next connection held back by it)
            what = self.violate() if first else self.rng.choice(actions)()
            first = False
            log(f"guest A: {what}")
            time.sleep(self.rng.uniform(0.1, 0.5))
        b_upto = {e: len(e[0].lines().get(e[1], [])) for e in b_ends}
        # Guest C's traffic flows; then guest A behaves again and reconnects.
        self.wait_flowing(self.gc, self.hb, "net_xenback2", 0, "guest C")
        self.ga.kill9()
        self.xe("vif", "detach", "--frontend", "1", "--devid", "0", "--force", "--timeout", "5")
        self.vif_attach(1, 0)
        since = self.hb.recv("net_xenback0")
        self.ga.start()
        took = self.wait_flowing(self.ga, self.hb, "net_xenback0", since, "guest A, restarted")
        log(f"guest A restarted well-behaved: traffic after {took:.2f}s")
        rcs = self.stop_all()
        self.stats_settled({d: dict.fromkeys(STAT_KEYS, 0) for d in (0, 1, 2, 3)},
                           "after every process exited")
        self.checks += 1
        self.final_checks(rcs, steady={"hb": "net_xenback1", "gb": "net_xennet0"},
                          killed=[self.ga])
        for e in b_ends:
            self.check_rate(e[0], e[1], b_since[e], b_upto[e])
        # each violation logged once by guest A's port, none by another port
        with open(self.hb.logpath) as f:
            viol = [ln for ln in f if "protocol violation by" in ln]
        mine = [ln for ln in viol if "net_xenback0:" in ln]
        if len(mine) != self.violations or len(viol) != len(mine):
            raise Fail(f"{self.violations} violation(s) by guest A, but hb logged "
                       f"{len(mine)} on its port and {len(viol) - len(mine)} on others:\n"
                       + "".join(viol))
        self.checks += 1
        log(f"guest A's {self.violations} protocol violation(s) logged once each, on its port")

    def check_rate(self, p, port, since, upto):
        """Every whole second of guest B's traffic while guest A misbehaved: at least 90 % of
        --rate received."""
        ls = (p.lines(p.logs[-1]).get(port) or [])[since:upto]
        pts = [(float(m.group(2)), int(m.group(4))) for m in ls or []]
        pts = [x for x in pts if x[1] > 0]      # from the first frame on
        worst = worst_t = None
        per = round(1 / REPORT)
        for i in range(0, len(pts) - per):
            (t0, r0), (t1, r1) = pts[i], pts[i + per]
            rate = (r1 - r0) / (t1 - t0)
            if worst is None or rate < worst:
                worst, worst_t = rate, t0
        self.expect(f"{p.name} {port or ''}: guest B's rate was never measured", worst is not None,
                    p.tail())
        self.expect(f"{p.name} {port or ''}: guest B's receive rate fell to {worst:.0f}/s, below "
                    f"90 % of {self.args.rate}/s (the second from {worst_t:.1f}s of its run)",
                    worst >= 0.9 * self.args.rate, p.tail())
        log(f"guest B at {p.name} {port or ''}: lowest rate over 1 s {worst:.0f}/s "
            f"({100 * worst / self.args.rate:.1f} % of {self.args.rate}/s)")

    # --- the checks at the end -----------------------------------------------------------

    def expect(self, what, ok, detail=""):
        self.checks += 1
        if not ok:
            raise Fail(f"{what}" + (f"\n{detail}" if detail else ""))

    def stats_settled(self, want, what):
        """domain stat equal to want; in-flight copies pin a grant for a moment, so retry."""
        got = None
        for _ in range(50):
            got = self.stats(sorted(want))
            if got == want:
                return
            time.sleep(0.1)
        diff = {d: {k: (want[d][k], got[d][k]) for k in STAT_KEYS if want[d][k] != got[d][k]}
                for d in want}
        raise Fail(f"{what}: xenemu domain stat differs (want, got): "
                   f"{ {d: v for d, v in diff.items() if v} }")

    def run(self):
        a = self.args
        self.setup()
        self.wait_all_flowing()
        time.sleep(1)
        baseline = self.stats()
        log(f"all links up; xenemu domain stat: {baseline}")
        for i in range(a.cycles):
            self.event(i, EVENTS[i % len(EVENTS)])
        # Every link up again: the same grants, pins and ports as before the first event.
        time.sleep(0.5)
        self.stats_settled(baseline, "after the last event, every link up")
        self.checks += 1
        # Stop: survivors and the last kg/kb print their summaries.
        rcs = self.stop_all()
        self.stats_settled({d: dict.fromkeys(STAT_KEYS, 0) for d in (0, 1, 2)},
                           "after every process exited")
        self.checks += 1
        self.final_checks(rcs, steady={"sb": "net_xenback1", "sg": "net_xennet0"},
                          killed=[self.kg, self.kb])

    def final_checks(self, rcs, steady, killed):
        a = self.args
        for p in self.procs:
            rc = rcs[p.name]
            self.expect(f"{p.name} exit status {rc} (0 or 2: no crash, no set-up error)",
                        rc in (0, 2), p.tail())
            try:
                with open(p.summary) as f:
                    s = json.load(f)
            except (OSError, ValueError) as e:
                raise Fail(f"{p.name}: no summary ({e})\n{p.tail()}")
            for x in (s if isinstance(s, list) else [s]):
                n = x["port_name"]
                where = f"{p.name} {n}"
                self.expect(f"{where}: {x['rx_corrupted']} corrupted frames",
                            x["rx_corrupted"] == 0, p.tail())
                self.expect(f"{where}: nothing received", x["rx_valid"] > 0, p.tail())
                self.expect(f"{where}: {x['leaked_mbufs']} mbufs leaked",
                            x["leaked_mbufs"] == 0, p.tail())
                if steady.get(p.name) == n:
                    for k in ("rx_lost", "rx_duplicated", "rx_reordered", "rx_late"):
                        self.expect(f"{where} (steady link): {k} = {x[k]}", x[k] == 0, p.tail())
                    self.expect(f"{where} (steady link): longest receive gap "
                                f"{x['rx_max_gap_s']:.3f}s > --max-gap {a.max_gap}s",
                                x["rx_max_gap_s"] <= a.max_gap, p.tail())
                    log(f"steady link at {where}: {x['rx_unique']} frames, none lost, "
                        f"longest gap {x['rx_max_gap_s'] * 1000:.0f} ms")
        # Every killed incarnation's last report line (its summary never came).
        for p in killed:
            for path in p.logs[:-1]:
                ls = p.lines(path).get(None)
                if ls:
                    self.expect(f"{p.name} ({path}): corrupted frames",
                                int(ls[-1].group(8)) == 0, p.tail(path=path))


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", os.path.join(top, "build")))
    ap.add_argument("--cycles", type=int, default=100, help="events (default 100)")
    ap.add_argument("--hostile", action="store_true",
                    help="the two-guest variant: a hostile guest A, guests B and C")
    ap.add_argument("--hostile-time", type=float, default=60,
                    help="--hostile: how long guest A misbehaves (default 60 s)")
    ap.add_argument("--connect-timeout", type=float, default=10,
                    help="--hostile: bound on guest C reaching Connected (default 10 s)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--size", default="64,1500", help="xen-traffic --size (default 64,1500)")
    ap.add_argument("--rate", type=int, default=None,
                    help="frames/s each port sends (default 20000; --hostile: 2000, a rate "
                         "a loaded 2-core machine sustains, so that 10 %% is meaningful)")
    ap.add_argument("--queues", type=int, default=1, help="queues per vif (default 1)")
    ap.add_argument("--min-delay", type=float, default=0.2,
                    help="least traffic time before an event (default 0.2 s)")
    ap.add_argument("--max-delay", type=float, default=1.5,
                    help="most traffic time before an event (default 1.5 s)")
    ap.add_argument("--settle", type=float, default=0.5,
                    help="time between xs-rm/destroy and the restart (default 0.5 s)")
    ap.add_argument("--resume-timeout", type=float, default=30,
                    help="bound on traffic resuming after an event (default 30 s)")
    ap.add_argument("--max-gap", type=float, default=2.0,
                    help="bound on the steady link's longest receive gap (default 2 s)")
    ap.add_argument("--log-dir", default=None,
                    help="make the directory of the logs and summaries under this one "
                         "(default: under $TMPDIR); it is removed on success unless --keep")
    ap.add_argument("--keep", action="store_true", help="keep the logs on success too")
    args = ap.parse_args()
    if args.rate is None:
        args.rate = 2000 if args.hostile else 20000
    if args.seed is None:
        args.seed = random.randrange(1 << 30)
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)
    soak = Soak(args)
    what = (f"hostile guest for {args.hostile_time:g}s" if args.hostile
            else f"{args.cycles} events")
    log(f"{what}, seed {args.seed}, logs in {soak.work}")
    t0 = time.monotonic()
    ok = False
    try:
        soak.run_hostile() if args.hostile else soak.run()
        ok = True
    except Fail as e:
        print(f"soak: FAIL: {e}", flush=True)
    except KeyboardInterrupt:
        print("soak: interrupted", flush=True)
    finally:
        soak.cleanup()
    if ok:
        print(f"soak: PASS: {what}, {soak.checks} checks in "
              f"{time.monotonic() - t0:.1f}s (seed {args.seed})", flush=True)
        if not args.keep:
            shutil.rmtree(soak.work, ignore_errors=True)
        return 0
    print(f"soak: logs kept in {soak.work} (rerun with --seed {args.seed})", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
