"""Real Guru Meditation Report files, written by oslo.reports itself (never imitations)."""

import os
import time

from oslo_reports import guru_meditation_report

from event_viewer import gmr


def new_files(directory, before):
    return sorted(set(os.listdir(directory)) - before)


def write_report(directory, service, **register_kwargs):
    """One report of this process, written as SIGUSR2 would (``event_viewer.gmr``); its path."""
    registration = gmr.register(service, str(directory), signal_trigger=False, **register_kwargs)
    before = set(os.listdir(directory))
    registration.report_class.handle_signal(
        gmr.PackageVersion(service), service, str(directory), None
    )
    (name,) = new_files(directory, before)
    return directory / name


def write_plain_oslo_report(directory, service):
    """One report as a service like nova writes it: oslo.reports' own TextGuruMeditation."""
    before = set(os.listdir(directory))
    guru_meditation_report.TextGuruMeditation.handle_signal(object(), service, str(directory), None)
    (name,) = new_files(directory, before)
    return directory / name


def wait_for_files(directory, before, seconds=10):
    """The reports written in ``directory`` within ``seconds`` (the trigger file is polled)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = [name for name in new_files(directory, before) if "_gurumeditation_" in name]
        # oslo.reports writes a report with one write() after creating the file.
        if files and all(os.path.getsize(directory / name) for name in files):
            return files
        time.sleep(0.05)
    return []
