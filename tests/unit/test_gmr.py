"""Guru Meditation Reports of our processes: registration, triggers, the dashboard's start-up.

Every report here is written by oslo.reports for real, into a temporary
directory; tests that register SIGUSR2 put the previous handler back.
"""

import contextlib
import logging
import os
import signal
import threading
import time

import pytest
from django.apps import apps
from oslo_config import cfg
from oslo_reports import opts as report_opts

from event_viewer import gmr
from event_viewer.apps import EventViewerConfig
from event_viewer.collector import reports
from tests.unit import gmr_files


@contextlib.contextmanager
def sigusr2_restored():
    previous = signal.getsignal(signal.SIGUSR2)
    try:
        yield previous
    finally:
        signal.signal(signal.SIGUSR2, previous)


def touch_later(path):
    # A time clearly after the watcher started: the kernel's file clock is
    # coarser than time.time(), so an immediate touch could look older.
    moment = time.time() + 1
    os.utime(path, (moment, moment))


def read_report(path):
    return reports.parse_report(path.name, path.read_text())


def test_django_uses_our_app_config_and_the_test_settings_register_nothing():
    assert isinstance(apps.get_app_config("event_viewer"), EventViewerConfig)
    assert gmr.register_dashboard() is None
    assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL


def test_sigusr2_to_the_dashboard_process_writes_a_report(settings, tmp_path):
    settings.EVENT_VIEWER_REPORTS_DIR = str(tmp_path)
    with sigusr2_restored():
        apps.get_app_config("event_viewer").ready()
        before = set(os.listdir(tmp_path))
        os.kill(os.getpid(), signal.SIGUSR2)
        (name,) = gmr_files.wait_for_files(tmp_path, before)
    assert name.startswith(f"horizon.{os.getpid()}_gurumeditation_")
    report = read_report(tmp_path / name)
    assert report.service == "horizon"
    titles = [section["title"] for section in report.sections]
    assert titles[:2] == ["Package", "Threads"]
    assert {"Processes", "Configuration"} <= set(titles)
    package = report.sections[0]["body"]
    assert "product = event-viewer (horizon)" in package
    assert "version = unknown" not in package  # read from the installed distribution


def test_dashboard_trigger_file_writes_a_report_and_leaves_sigusr2_to_the_server(
    settings, tmp_path
):
    trigger = tmp_path / "trigger"
    settings.EVENT_VIEWER_REPORTS_DIR = str(tmp_path / "reports")
    settings.EVENT_VIEWER_REPORTS_TRIGGER_FILE = str(trigger)
    registration = gmr.register_dashboard()
    assert registration.trigger_file == str(trigger)
    assert trigger.exists()  # created: oslo.reports cannot watch a missing file
    assert not registration.signal_registered
    assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL
    before = set()
    touch_later(trigger)
    (name,) = gmr_files.wait_for_files(tmp_path / "reports", before)
    assert read_report(tmp_path / "reports" / name).service == "horizon"


def test_outside_the_main_thread_a_warning_and_the_trigger_file_still_works(tmp_path, caplog):
    trigger = tmp_path / "trigger"
    outcome = {}

    def start():
        outcome["registration"] = gmr.register(
            "event-viewer-collector", str(tmp_path), trigger_file=str(trigger)
        )

    with caplog.at_level(logging.WARNING, logger="event_viewer.gmr"):
        worker = threading.Thread(target=start)
        worker.start()
        worker.join()
    assert not outcome["registration"].signal_registered
    assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL
    assert "SIGUSR2 not registered" in caplog.text
    assert f"touch {trigger} instead" in caplog.text
    before = set(os.listdir(tmp_path))
    touch_later(trigger)
    assert gmr_files.wait_for_files(tmp_path, before)


def test_a_dashboard_that_cannot_write_its_reports_still_starts(settings, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.EVENT_VIEWER_REPORTS_DIR = str(blocker / "reports")
    with caplog.at_level(logging.ERROR, logger="event_viewer.gmr"):
        assert gmr.register_dashboard() is None
    assert "could not be set up" in caplog.text
    assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL


def test_collector_registration_from_its_config_with_its_sections(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("host"))
    conf([], project="event-viewer-collector", default_config_files=[], default_config_dirs=[])
    conf.set_override("host", "node-3")
    report_opts.set_defaults(conf)  # as the collector would, before its config is read
    conf.set_override("log_dir", str(tmp_path), group="oslo_reports")
    counters = {"stored": 7, "received": 9}

    def broken():
        raise RuntimeError("counter store gone")

    path = gmr_files.write_report(
        tmp_path,
        "event-viewer-collector",
        conf=conf,
        extra_sections={"Collector Counters": lambda: counters, "Broken": broken},
    )
    report = read_report(path)
    sections = {section["title"]: section["body"] for section in report.sections}
    assert report.service == "event-viewer-collector"
    assert report.host == "node-3"  # the collector's own ConfigOpts is in its report
    assert sections["Collector Counters"] == "received = 9\nstored = 7"
    assert sections["Broken"] == (
        "This section could not be produced: RuntimeError: counter store gone"
    )
    assert "log_dir = " + str(tmp_path) in sections["Configuration (event-viewer-collector)"]


def test_sections_of_one_registration_stay_out_of_the_others(tmp_path):
    first = gmr.register("one", str(tmp_path), signal_trigger=False, extra_sections={"A": str})
    second = gmr.register("two", str(tmp_path), signal_trigger=False, extra_sections={"B": str})
    assert [title for title, _g in first.report_class.persistent_sections] == ["A"]
    assert [title for title, _g in second.report_class.persistent_sections] == ["B"]
    assert not getattr(gmr.guru_meditation_report.TextGuruMeditation, "persistent_sections", [])


def test_a_reports_directory_is_required():
    with pytest.raises(ValueError, match="No reports directory"):
        gmr.register("event-viewer-collector", None, signal_trigger=False)
