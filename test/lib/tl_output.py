# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The xen-dpdk authors
"""What a child process prints, followed as it prints it (test/doc/doctest.py's terminals,
test/pair/testpmd_pair.py's testpmd consoles)."""

import threading


class Output:
    """A thread copies each chunk read_chunk() returns to log (as it comes) and appends it, passed
    through clean(), to buf; everyone waiting on cond is woken at each chunk and at the end, when
    closed becomes True. read_chunk() returns bytes, b"" at the end."""

    def start_output(self, read_chunk, log, clean=None):
        self.buf = ""
        self.cond = threading.Condition()
        self.closed = False
        self._read_chunk = read_chunk
        self._log = log
        self._clean = clean or (lambda text: text)
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def join_output(self, timeout):
        """Wait up to timeout seconds for the end of the output (the process closed it)."""
        self._thread.join(timeout=timeout)

    def _pump(self):
        while True:
            data = self._read_chunk()
            if not data:
                break
            text = data.decode(errors="replace")
            self._log.write(text)
            self._log.flush()
            with self.cond:
                self.buf += self._clean(text)
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()
