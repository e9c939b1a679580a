# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""The DPDK processes a Python test starts, each with its output in a log file and its own EAL
--file-prefix (test/app/xt_test.py's and devtools/soak.py's xen-traffic processes): waiting for
one's end with a deadline, the tail of its log for a failure message, and the EAL's runtime
directories removed afterwards."""

import os
import shutil
import subprocess


def wait_or_kill(proc, timeout):
    """proc's exit status if it ends within timeout seconds; past that, proc is killed and reaped,
    and None is returned."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def log_tail(path, n, title):
    """A line '--- title', then the last n lines of the log at path; "" if it cannot be read."""
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return ""
    return f"--- {title}\n" + "".join(lines[-n:])


def eal_runtime_cleanup(prefixes):
    """Remove what the EAL leaves behind for each --file-prefix in prefixes: its runtime directory
    under /var/run/dpdk (root) and under $XDG_RUNTIME_DIR/dpdk (other users)."""
    run_dirs = ["/var/run/dpdk"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        run_dirs.append(os.path.join(os.environ["XDG_RUNTIME_DIR"], "dpdk"))
    for d in run_dirs:
        for prefix in prefixes:
            shutil.rmtree(os.path.join(d, prefix), ignore_errors=True)
