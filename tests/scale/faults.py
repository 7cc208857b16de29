"""Configs for the fault tests, importable by the engines' worker processes (conftest.py
puts this directory on their PYTHONPATH): a SymbolicatorConfig that records every
symbolicator it makes, and one that SIGKILLs its own worker process once."""

from __future__ import absolute_import

import os
import signal

from mapback.worker import SymbolicatorConfig


class CountingConfig(SymbolicatorConfig):
    """Appends the process ID to ``log`` each time a worker makes its symbolicator."""

    __slots__ = ("log",)

    def __init__(self, store, log=None, **options):
        SymbolicatorConfig.__init__(self, store, **options)
        self.log = log

    def __reduce__(self):
        return (CountingConfig, (self.store_path, self.log))

    def new_symbolicator(self):
        with open(self.log, "a") as handle:
            handle.write("%d\n" % os.getpid())
        return SymbolicatorConfig.new_symbolicator(self)


class KillOnce(SymbolicatorConfig):
    """The first worker process to meet the event whose JSON contains ``victim``
    SIGKILLs itself mid-batch, once: ``marker`` is created exclusively first (and gets
    the dead process's ID), so the task's retry finds it and carries on."""

    __slots__ = ("victim", "marker")

    def __init__(self, store, victim=None, marker=None, **options):
        SymbolicatorConfig.__init__(self, store, **options)
        self.victim = victim
        self.marker = marker

    def __reduce__(self):
        return (KillOnce, (self.store_path, self.victim, self.marker))

    def symbolicate_or_fail(self, event):
        text = event.decode("utf-8") if isinstance(event, bytes) else event
        if text is not None and self.victim in text:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except OSError:
                pass  # the retry: the process was killed once already
            else:
                os.write(fd, str(os.getpid()).encode("ascii"))
                os.close(fd)
                os.kill(os.getpid(), signal.SIGKILL)
        return SymbolicatorConfig.symbolicate_or_fail(self, event)
