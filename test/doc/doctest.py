#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""The doc-test: every shell block in README.md and doc/*.rst runs as written, or says why not.

Each shell block (an rst ``::`` block, ``.. code-block:: console|sh|bash``, a markdown fence with
no language or sh/bash/console) carries a marker just before it -- an rst comment
``.. doctest: KIND key=value ...`` (indented lines continue it), in markdown
``<!-- doctest: KIND ... -->`` -- that applies to the next block. Blocks in another language
(``.. code-block:: text``: sample output, a frame layout) need none. KIND is one of:

  run   shell commands, typed into terminal N (``terminal=N``, default 1) of a recipe
        (``recipe=NAME``); the doc-test waits for them to finish, and any failing command fails
        the recipe (the terminal's shell runs with ``set -e``). ``wait="REGEX"`` instead waits
        for that output only: for a block that ends by starting an interactive program.
        ``prompt="# "``: a console block; only lines after the prompt are typed.
  type  lines typed at an interactive program running in that terminal; ``prompt="testpmd> "``
        marks them (other lines are the output the doc shows) and is awaited after each.
        ``until="REGEX"`` types the block again, once a second, until one round's output matches;
        ``ends``: its last line ends the program (the shell prompt is then awaited).
  skip      not runnable, ``reason="..."`` says why (a syntax sketch, a suite of the test
            command, a benchmark...).
  xen-host  needs real Xen, ``reason="..."`` says where it runs (the interop suite, a Xen host).

``expect="REGEX"`` (repeatable) on run/type blocks: the block's output -- what its terminal
printed from the block's first line to the next block typed there, or the recipe's end -- must
match (Python regex, multi-line). ``timeout=SEC`` bounds each wait (default 60).

The blocks of one recipe run in document order, each recipe in a scratch environment: its own
pseudo-terminals (a real tty, as a user has: line-buffered output, testpmd's command line), a
working directory of symbolic links to the checkout with ``build`` pointing at the build
directory, its own ``mktemp`` XENEMU_DIR (recipes use xenemu's default, so no block sets it), a
user's environment (not the test runner's LD_LIBRARY_PATH), and each ``--file-prefix`` made
unique, so two runs never share EAL runtime files. Afterwards every process the recipe started
is killed (found by a token in its environment: xenemu's daemon included) and its files
removed. At its end each terminal must be back at its shell: a recipe that leaves a program
running fails.

The check of the markers runs first: an unmarked shell block, an unknown kind or key, a skip
without a reason, a marker with no block, or a DPDK command in a runnable block without its
own ``--file-prefix`` fails the test, so a new block cannot slip in unrecorded. Files in PENDING are listed and not checked (their mark-up is a recorded follow-up).

Exit status: 0 every check and recipe passed, 1 otherwise.
"""

import argparse
import os
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tl_output import Output  # noqa: E402

# Files whose blocks are not checked yet, with why: empty, every doc is marked.
PENDING = {}

SHELL_LANGS = {"", "console", "sh", "bash", "shell", "shell-session"}
KINDS = {
    "run": {"recipe", "terminal", "wait", "expect", "timeout", "prompt"},
    "type": {"recipe", "terminal", "prompt", "expect", "until", "timeout", "ends"},
    "skip": {"reason"},
    "xen-host": {"reason"},
}
FLAGS = {"ends"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78c]")


class Fail(Exception):
    pass


class Block:
    def __init__(self, path, line, lang, text):
        self.path, self.line, self.lang, self.text = path, line, lang, text
        self.marker = None      # (kind, {key: value or [values]}), or None
        self.marker_line = None

    @property
    def where(self):
        return f"{self.path}:{self.line}"

    @property
    def is_shell(self):
        return self.lang in SHELL_LANGS


# ---------------------------------------------------------------- extraction

def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def rst_items(path, lines):
    """Markers and literal blocks of an rst file, in order: ('marker', line, text) or Block."""
    items = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        m = re.match(r"^(\s*)\.\. doctest:(.*)$", line)
        if m:
            ind, text, start = len(m.group(1)), m.group(2), i
            i += 1
            while i < n and lines[i].strip() and indent_of(lines[i]) > ind:
                text += " " + lines[i].strip()
                i += 1
            items.append(("marker", start + 1, text.strip()))
            continue
        cb = re.match(r"^(\s*)\.\. (?:code-block|code|sourcecode)::\s*(\S*)\s*$", line)
        literal = (not cb and stripped.endswith("::") and not stripped.startswith(".. ")
                   and not re.match(r"^\.\. [\w-]+::", stripped))
        if cb or literal:
            ind = len(cb.group(1)) if cb else indent_of(line)
            lang = cb.group(2).lower() if cb else ""
            i += 1
            # code-block options (":linenos:" ...) before the content
            while cb and i < n and lines[i].strip().startswith(":") and indent_of(lines[i]) > ind:
                i += 1
            body = []
            start = None
            while i < n and (not lines[i].strip() or indent_of(lines[i]) > ind):
                if lines[i].strip() and start is None:
                    start = i
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            while body and not body[0].strip():
                body.pop(0)
            if body:
                dedent = min(indent_of(b) for b in body if b.strip())
                items.append(Block(path, start + 1, lang,
                                   "\n".join(b[dedent:] for b in body)))
            continue
        i += 1
    return items


def md_items(path, lines):
    items = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        m = re.match(r"^\s*<!--\s*doctest:(.*)$", line)
        if m:
            text, start = m.group(1), i
            while "-->" not in text and i + 1 < n:
                i += 1
                text += " " + lines[i].strip()
            items.append(("marker", start + 1, text.split("-->")[0].strip()))
            i += 1
            continue
        f = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", line)
        if f:
            fence, lang, start = f.group(2), f.group(3).lower(), i
            body = []
            i += 1
            while i < n and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            items.append(Block(path, start + 2, lang, "\n".join(body)))
        i += 1
    return items


def parse_marker(text):
    """'run recipe=x expect="a b"' -> ('run', {...}); ValueError on a malformed marker."""
    words = shlex.split(text)
    if not words:
        raise ValueError("empty marker")
    kind, opts = words[0], {}
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    for w in words[1:]:
        key, eq, value = w.partition("=")
        if not eq:
            if key not in FLAGS:
                raise ValueError(f"{key!r} is not key=value")
            value = True
        if key not in KINDS[kind]:
            raise ValueError(f"key {key!r} does not apply to {kind}")
        if key == "expect":
            opts.setdefault(key, []).append(value)
        elif key in opts:
            raise ValueError(f"key {key!r} given twice")
        else:
            opts[key] = value
    if kind in ("skip", "xen-host") and not opts.get("reason", "").strip():
        raise ValueError(f"{kind} needs reason=\"...\"")
    if kind in ("run", "type") and not opts.get("recipe"):
        raise ValueError(f"{kind} needs recipe=NAME")
    if kind == "type" and not opts.get("prompt"):
        raise ValueError("type needs prompt=\"...\"")
    for key in ("timeout", "terminal"):
        if key in opts and not re.fullmatch(r"[1-9][0-9]*", opts[key]):
            raise ValueError(f"{key} must be a positive whole number")
    for key in ("wait", "until", "expect"):
        for rx in (opts.get(key) if isinstance(opts.get(key), list) else [opts.get(key)]):
            if rx is not None:
                re.compile(rx)
    return kind, opts


def collect(source_root):
    """Every block of README.md and doc/**/*.rst, with its marker; and the marker errors."""
    files = ["README.md"] + sorted(
        os.path.relpath(os.path.join(d, f), source_root)
        for d, _, fs in os.walk(os.path.join(source_root, "doc")) for f in fs if f.endswith(".rst"))
    blocks, errors, pending = [], [], []
    for rel in files:
        if rel in PENDING:
            pending.append(rel)
            continue
        with open(os.path.join(source_root, rel), encoding="utf-8") as f:
            lines = f.read().split("\n")
        items = md_items(rel, lines) if rel.endswith(".md") else rst_items(rel, lines)
        marker = None
        for it in items:
            if isinstance(it, tuple):
                if marker:
                    errors.append(f"{rel}:{marker[1]}: marker followed by another marker, not a block")
                marker = it
                continue
            if marker:
                try:
                    it.marker = parse_marker(marker[2])
                except ValueError as e:
                    errors.append(f"{rel}:{marker[1]}: bad doctest marker: {e}")
                it.marker_line = marker[1]
                marker = None
            elif it.is_shell:
                errors.append(f"{it.where}: shell block without a doctest marker (run, type, "
                              f"skip or xen-host; see test/doc/doctest.py)")
            blocks.append(it)
        if marker:
            errors.append(f"{rel}:{marker[1]}: doctest marker with no block after it")
    return blocks, errors, pending


def recipes_of(blocks, errors):
    recipes = {}
    for b in blocks:
        if b.marker and b.marker[0] == "run":
            # Two DPDK processes on one machine need distinct runtime files: a recipe that
            # leaves --file-prefix out works alone and fails beside anything else.
            cmds = "\n".join(command_lines(b.text, b.marker[1].get("prompt"))).replace("\\\n", " ")
            for cmd in cmds.split("\n"):
                if re.search(r"dpdk-testpmd|xen-traffic ", cmd) and "--file-prefix" not in cmd:
                    errors.append(f"{b.where}: a DPDK command without --file-prefix")
        if b.marker and b.marker[0] in ("run", "type"):
            name = b.marker[1]["recipe"]
            first = recipes.setdefault(name, [b])[0]
            if first is not b:
                if first.path != b.path:
                    errors.append(f"{b.where}: recipe {name!r} is also in {first.path}")
                recipes[name].append(b)
    for name, steps in recipes.items():
        if steps[0].marker[0] != "run":
            errors.append(f"{steps[0].where}: recipe {name!r} starts with a type block")
    return recipes


# ---------------------------------------------------------------- running

class Terminal(Output):
    """A bash on a pseudo-terminal, typed into as a user would."""

    def __init__(self, name, cwd, env, log):
        self.name, self.log = name, log
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # No echo: what the doc-test types is logged apart, and a regex never matches
                # the typed command instead of the program's answer.
                attrs = termios.tcgetattr(0)
                attrs[3] &= ~termios.ECHO
                termios.tcsetattr(0, termios.TCSANOW, attrs)
                os.chdir(cwd)
                os.execvpe("bash", ["bash", "--norc", "--noprofile", "--noediting", "-i"], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        # Again from this side: what is typed before the child got there must not echo either.
        attrs = termios.tcgetattr(fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        # buf: everything printed, escape sequences removed
        self.start_output(self._read_pty, log,
                          lambda text: ANSI.sub("", text).replace("\r", ""))
        # set -e: a failing command ends the shell, which fails the recipe; a user would stop too.
        # stty: bash may have put echo back on for its own line reading.
        self.write("stty -echo; set -e\n")

    def _read_pty(self):
        try:
            return os.read(self.fd, 65536)
        except OSError:         # EIO once the shell is gone
            return b""

    def write(self, text):
        self.log.write(f"\n[doctest types into {self.name}]\n{text}[end]\n")
        self.log.flush()
        try:
            os.write(self.fd, text.encode())
        except OSError as e:
            raise Fail(f"{self.name}: cannot type, its shell is gone ({e})")

    def offset(self):
        with self.cond:
            return len(self.buf)

    def wait_for(self, rx, start, timeout, what):
        """Wait for rx in the output after start; return the end of the match."""
        pat = re.compile(rx, re.M)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = pat.search(self.buf, start)
                if m:
                    return m.end()
                left = deadline - time.monotonic()
                if self.closed:
                    raise Fail(f"{self.name}: the shell exited (a command failed) "
                               f"while waiting for {what}")
                if left <= 0:
                    raise Fail(f"{self.name}: no {what} within {timeout} s")
                self.cond.wait(min(left, 0.5))

    def text(self, start, end=None):
        with self.cond:
            return self.buf[start:end]

    def finish(self, timeout):
        """Back at the shell? Types a sentinel the shell runs once the foreground program ends."""
        nonce = uuid.uuid4().hex[:12]
        start = self.offset()
        self.write(f"echo dt-done-{nonce}\n")
        self.wait_for(f"^dt-done-{nonce}$", start, timeout, "shell prompt (is a program left running?)")

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def prompt_re(prompt):
    # Asynchronous lines (driver logs, testpmd's event lines) can land inside a prompt the
    # command line writes in pieces: allow whole lines between its characters.
    return "".join(re.escape(c) + r"(?:\n?[^\n]*\n)*?" for c in prompt[:-1]) + re.escape(prompt[-1])


def command_lines(text, prompt):
    """The lines to type: all of them, or those after prompt (with their continuations)."""
    if not prompt:
        return text.split("\n")
    out, cont = [], False
    for line in text.split("\n"):
        if cont:
            out.append(line)
        elif line.startswith(prompt):
            out.append(line[len(prompt):])
        elif line.startswith(prompt.rstrip()) and not line[len(prompt.rstrip()):].strip():
            continue    # an empty prompt line
        else:
            continue    # output the doc shows
        # a command goes on after a line ending in a backslash, && or a pipe
        cont = re.search(r"(\\|&&|\|\||\|)\s*$", out[-1]) is not None
    return out


class Recipe:
    def __init__(self, name, steps, args):
        self.name, self.steps, self.args = name, steps, args
        self.token = f"dt{os.getpid()}x{uuid.uuid4().hex[:6]}"
        self.prefixes = set()

    def unique_prefixes(self, text):
        """--file-prefix X -> X-<token>: EAL's runtime files of two runs must never meet."""
        def sub(m):
            p = f"{m.group(2)}-{self.token}"
            self.prefixes.add(p)
            return m.group(1) + p
        return re.sub(r"(--file-prefix[= ]+)([A-Za-z0-9_.-]+)", sub, text)

    def run(self):
        a = self.args
        logdir = os.path.join(a.log_dir, self.name)
        shutil.rmtree(logdir, ignore_errors=True)
        os.makedirs(logdir)
        # The working directory: the checkout, with build/ the build directory under test.
        # Under the build directory, not /tmp: EAL refuses plugins below a world-writable one.
        work = os.path.join(logdir, "checkout")
        os.makedirs(work)
        for e in os.listdir(a.source_root):
            if e not in ("build", ".git"):
                os.symlink(os.path.join(a.source_root, e), os.path.join(work, e))
        os.symlink(a.build_dir, os.path.join(work, "build"))
        xdir = tempfile.mkdtemp(prefix="dt-xe.", dir="/tmp")   # short: socket paths
        # A user's environment, not the test runner's: meson test puts the build's
        # libraries (xenemu's drop-ins among them) in LD_LIBRARY_PATH, which would let a
        # recipe that forgets "xenemu exec" pass.
        keep = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(XENEMU_DIR=xdir, DOCTEST_TOKEN=self.token, PS1="", PS2="", TERM="dumb",
                   HISTFILE="/dev/null")
        terms, marks = {}, []
        t0 = time.monotonic()
        try:
            for b in self.steps:
                kind, o = b.marker
                tname = f"terminal {o.get('terminal', '1')}"
                if tname not in terms:
                    log = open(os.path.join(logdir, tname.replace(' ', '') + ".log"), "w")
                    terms[tname] = Terminal(tname, work, env, log)
                t = terms[tname]
                timeout = int(o.get("timeout", "60"))
                start = t.offset()
                marks.append((b, t, start))
                try:
                    self.step(b, kind, o, t, timeout, start)
                except Fail as e:
                    raise Fail(f"{b.where}: {e}")
            for t in terms.values():
                t.finish(30)
            # each block's output: to the next block typed into its terminal, or the end
            for idx, (b, t, start) in enumerate(marks):
                end = next((s for bb, tt, s in marks[idx + 1:] if tt is t), None)
                out = t.text(start, end)
                for rx in b.marker[1].get("expect", []):
                    if not re.search(rx, out, re.M):
                        raise Fail(f"{b.where}: output does not match expect={rx!r}")
            return time.monotonic() - t0
        except Fail as e:
            for t in terms.values():
                tail = "\n".join(t.text(0).rstrip().split("\n")[-25:])
                e.args = (e.args[0] + f"\n--- {t.name}, last lines ---\n{tail}",)
            raise
        finally:
            for t in terms.values():
                t.kill()
                t.log.close()
            self.cleanup(xdir, env)
            shutil.rmtree(work, ignore_errors=True)

    def step(self, b, kind, o, t, timeout, start):
        lines = command_lines(b.text, o.get("prompt") if kind == "run" else o["prompt"])
        if kind == "run":
            text = self.unique_prefixes("\n".join(lines)) + "\n"
            if "wait" in o:
                t.write(text)
                t.wait_for(o["wait"], start, timeout, f"output matching {o['wait']!r}")
            else:
                nonce = uuid.uuid4().hex[:12]
                t.write(text + f"echo dt-ok-{nonce}\n")
                t.wait_for(f"^dt-ok-{nonce}$", start, timeout, "end of the block's commands")
            return
        prx = prompt_re(o["prompt"])
        deadline = time.monotonic() + timeout
        while True:
            pos = round_start = t.offset()
            for i, line in enumerate(lines):
                t.write(line + "\n")
                if o.get("ends") and i == len(lines) - 1:
                    t.finish(max(1, int(deadline - time.monotonic())))
                else:
                    pos = t.wait_for(prx, pos, max(1, deadline - time.monotonic()),
                                     f"prompt {o['prompt']!r} after {line!r}")
            # until= looks at this round's output only: an earlier round's counters do not count
            if "until" not in o or re.search(o["until"], t.text(round_start), re.M):
                return
            if time.monotonic() > deadline:
                raise Fail(f"{t.name}: output never matched until={o['until']!r} "
                           f"in {timeout} s")
            time.sleep(1)

    def cleanup(self, xdir, env):
        xenemu = os.path.join(self.args.build_dir, "xenemu", "xenemu")
        if os.path.exists(os.path.join(xdir, ".xenemu-instance")) and os.path.exists(xenemu):
            subprocess.run([xenemu, "stop"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30, check=False)
        # Whatever the recipe started and left: xenemu's daemon, a program in the background.
        for sig, pause in ((signal.SIGTERM, 2), (signal.SIGKILL, 0)):
            left = [p for p in pids_with_token(self.token)]
            for p in left:
                try:
                    os.kill(p, sig)
                except OSError:
                    pass
            if left and pause:
                time.sleep(pause)
        shutil.rmtree(xdir, ignore_errors=True)
        for p in self.prefixes:
            shutil.rmtree(os.path.join("/var/run/dpdk", p), ignore_errors=True)


def pids_with_token(token):
    needle = f"DOCTEST_TOKEN={token}".encode()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    out.append(int(d))
        except OSError:
            pass
    return out


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--source-root", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--build-dir", help="the build directory (default: SOURCE_ROOT/build)")
    ap.add_argument("--log-dir", help="terminal logs (default: BUILD_DIR/doctest-logs)")
    ap.add_argument("--recipe", action="append", help="run only this recipe (repeatable)")
    ap.add_argument("--check", action="store_true", help="check the markers only")
    ap.add_argument("--list", action="store_true", help="list every block and its marker")
    a = ap.parse_args()
    a.source_root = os.path.abspath(a.source_root)
    a.build_dir = os.path.abspath(a.build_dir or os.path.join(a.source_root, "build"))
    a.log_dir = os.path.abspath(a.log_dir or os.path.join(a.build_dir, "doctest-logs"))

    # meson test's timeout sends SIGTERM: unwind, so the recipe's clean-up still kills its
    # pollers (a testpmd left spinning would slow every later test).
    def terminated(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, terminated)

    blocks, errors, pending = collect(a.source_root)
    recipes = recipes_of(blocks, errors)
    counts = {}
    for b in blocks:
        kind = b.marker[0] if b.marker else ("unmarked" if b.is_shell else f"not shell ({b.lang})")
        counts[kind] = counts.get(kind, 0) + 1
        if a.list:
            o = b.marker[1] if b.marker else {}
            what = o.get("recipe") or o.get("reason") or ""
            print(f"{b.where:28} {kind:9} {what}")
    for e in errors:
        print(f"FAIL {e}")
    print("doctest: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
          + f" block(s); {len(recipes)} recipe(s)")
    for p in pending:
        print(f"doctest: note: {p} not checked: {PENDING[p]}")
    if a.list or a.check:
        return 1 if errors else 0

    failed = 0
    names = a.recipe or list(recipes)
    t0 = time.monotonic()
    for name in names:
        if name not in recipes:
            print(f"FAIL no recipe {name!r}")
            failed += 1
            continue
        r = Recipe(name, recipes[name], a)
        try:
            secs = r.run()
            print(f"PASS {name} ({recipes[name][0].path}, {len(recipes[name])} blocks, {secs:.0f} s)",
                  flush=True)
        except Fail as e:
            print(f"FAIL {name}: {e}\n(logs: {os.path.join(a.log_dir, name)})", flush=True)
            failed += 1
    print(f"doctest: {len(names) - failed} of {len(names)} recipe(s) passed"
          f" in {time.monotonic() - t0:.0f} s"
          + (f"; {len(errors)} marker error(s)" if errors else ""))
    failed += len(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
