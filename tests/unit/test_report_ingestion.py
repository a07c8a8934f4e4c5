"""Report files into the store: parsing what oslo.reports really writes, ingesting a directory."""

import datetime
import logging
import os
import socket
from unittest import mock

import pytest
from django.test import TestCase, override_settings
from django.utils import timezone
from oslo_config import cfg
from oslo_reports import guru_meditation_report

from event_viewer.collector import reports
from event_viewer.models import ServiceReport
from tests.unit import gmr_files

DEFAULT_SECTIONS = (
    ["Package", "Threads"]
    + (["Green Threads"] if guru_meditation_report.greenlet else [])
    + ["Processes", "Configuration"]
)


class ReportDirectoryTestCase(TestCase):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path):
        reports._read_files.clear()  # what an earlier test's process read
        self.directory = tmp_path / "reports"
        self.directory.mkdir()
        self.outside = tmp_path / "outside"
        self.outside.mkdir()

    def ingest(self, **kwargs):
        kwargs.setdefault("settle_seconds", 0)
        return reports.ingest_directory(str(self.directory), **kwargs)


class ParseTests(ReportDirectoryTestCase):
    def test_a_report_written_by_oslo_reports_like_nova_does(self):
        host = cfg.StrOpt("host", default="compute-7")
        cfg.CONF.register_opt(host)
        self.addCleanup(cfg.CONF.unregister_opt, host)
        path = gmr_files.write_plain_oslo_report(self.directory, "nova-compute")

        report = reports.parse_report(path.name, path.read_text(), default_host="elsewhere")

        self.assertEqual("nova-compute", report.service)
        self.assertEqual("compute-7", report.host)
        self.assertEqual(DEFAULT_SECTIONS, [section["title"] for section in report.sections])
        self.assertIn(f"Process {os.getpid()} (under ", report.sections[-2]["body"])
        self.assertEqual(datetime.UTC, report.created_at.tzinfo)
        self.assertLess(abs(timezone.now() - report.created_at), datetime.timedelta(minutes=1))

    def test_without_a_configured_host_the_default_host(self):
        path = gmr_files.write_report(self.directory, "horizon")
        report = reports.parse_report(path.name, path.read_text(), default_host="node-9")
        self.assertEqual("node-9", report.host)
        self.assertEqual("horizon", report.service)  # ".<pid>" taken off

    def test_a_dotted_number_that_is_not_the_reporting_pid_stays_in_the_service(self):
        path = gmr_files.write_report(self.directory, "horizon")
        text = path.read_text()
        name = path.name.replace(f"horizon.{os.getpid()}_", "api.12_")
        self.assertEqual("api.12", reports.parse_report(name, text).service)

    def test_text_that_is_not_a_report_and_names_that_are_not_reports(self):
        with self.assertRaisesRegex(reports.NotAReport, "header"):
            reports.parse_report("x_gurumeditation_20260101000000", "hello\n")
        with self.assertRaisesRegex(reports.NotAReport, "named"):
            reports.parse_report("nova-compute.log", "")
        with self.assertRaisesRegex(reports.NotAReport, "time"):
            reports.parse_report("x_gurumeditation_20261399000000", "")


class IngestTests(ReportDirectoryTestCase):
    def test_each_report_is_stored_once(self):
        first = gmr_files.write_report(self.directory, "nova-compute")
        gmr_files.write_report(self.directory, "cinder-volume")

        result = self.ingest()
        again = self.ingest()

        self.assertEqual((2, 0, 0), (result.new, result.already_known, result.unreadable))
        self.assertEqual((0, 2, 0), (again.new, again.already_known, again.unreadable))
        stored = ServiceReport.objects.get(service="nova-compute")
        self.assertEqual(str(first), stored.path)
        self.assertEqual(socket.gethostname(), stored.host)  # the collector's node
        self.assertEqual(first.stat().st_size, stored.size)
        self.assertEqual(
            reports.parse_report(first.name, first.read_text()).sections, stored.sections
        )

    def test_two_collectors_storing_the_same_file_at_once_make_one_row(self):
        gmr_files.write_report(self.directory, "nova-compute")
        self.ingest()
        # The other collector listed the directory before this one's insert.
        with (
            mock.patch.object(reports, "_known", return_value=set()),
            mock.patch.object(reports, "_read_before", return_value=False),
        ):
            self.ingest()
        self.assertEqual(1, ServiceReport.objects.count())

    def test_unreadable_and_foreign_files_are_counted_logged_once_and_never_raise(self):
        gmr_files.write_report(self.directory, "nova-compute")
        outside = gmr_files.write_report(self.outside, "secret-service")
        (self.directory / "notes.txt").write_text("not a report")
        (self.directory / "x_gurumeditation_20261399000000").write_text("bad time")
        (self.directory / "y_gurumeditation_20260101000000").write_text("no header\n")
        (self.directory / "link_gurumeditation_20260101000000").symlink_to(outside)
        os.mkfifo(self.directory / "fifo_gurumeditation_20260101000000")
        (self.directory / "a-directory").mkdir()

        with self.assertLogs("event_viewer.collector.reports", logging.WARNING) as logs:
            result = self.ingest()
        with self.assertNoLogs("event_viewer.collector.reports", logging.WARNING):
            again = self.ingest()

        self.assertEqual((1, 0, 5), (result.new, result.already_known, result.unreadable))
        self.assertEqual((0, 1, 5), (again.new, again.already_known, again.unreadable))
        self.assertEqual(["nova-compute"], [r.service for r in ServiceReport.objects.all()])
        self.assertEqual(5, len(logs.records))
        self.assertIn("symbolic link", "\n".join(logs.output))

    def test_a_file_still_being_written_waits_for_the_next_pass(self):
        gmr_files.write_report(self.directory, "nova-compute")
        self.assertEqual(0, self.ingest(settle_seconds=60).new)
        self.assertEqual(1, self.ingest().new)

    def test_big_reports_are_cut_and_say_so(self):
        path = gmr_files.write_report(
            self.directory, "nova-compute", extra_sections={"Big": lambda: "x" * 50_000}
        )
        self.ingest(max_bytes=10_000)
        stored = ServiceReport.objects.get()
        self.assertEqual(path.stat().st_size, stored.size)
        self.assertLessEqual(sum(len(s["body"]) for s in stored.sections[:-1]), 10_000)
        self.assertEqual(reports.TRUNCATED_TITLE, stored.sections[-1]["title"])
        self.assertIn(f"{path.stat().st_size:,} bytes", stored.sections[-1]["body"])

    def test_nul_and_invalid_utf8_are_stored_as_replacement_characters(self):
        path = gmr_files.write_report(
            self.directory, "nova-compute", extra_sections={"Odd": lambda: "a\x00b"}
        )
        with open(path, "ab") as report_file:
            report_file.write(b"\n\xff\xfe")
        self.assertEqual(1, self.ingest().new)
        odd = ServiceReport.objects.get().sections[-1]
        self.assertEqual("Odd", odd["title"])
        self.assertEqual("a\ufffdb\n\ufffd\ufffd", odd["body"])

    def test_a_missing_directory_is_logged_not_raised(self):
        with self.assertLogs("event_viewer.collector.reports", logging.WARNING):
            result = reports.ingest_directory(str(self.directory / "missing"))
        self.assertEqual((0, 0, 0), (result.new, result.already_known, result.unreadable))


class FleetAndExpiryTests(ReportDirectoryTestCase):
    def test_the_same_file_name_on_two_nodes_is_two_reports(self):
        # A signal sent to the whole fleet: each node's collector reads its own
        # directory, where the file has the same path.
        gmr_files.write_plain_oslo_report(self.directory, "nova-compute")
        for node in ("node-a", "node-b", "node-a"):
            with mock.patch.object(reports.socket, "gethostname", return_value=node):
                self.ingest()
        stored = sorted(ServiceReport.objects.values_list("host", "path"))
        self.assertEqual(["node-a", "node-b"], [host for host, _path in stored])
        self.assertEqual(1, len({path for _host, path in stored}))

    def test_reports_expire_after_the_ttl(self):
        gmr_files.write_report(self.directory, "nova-compute")
        gmr_files.write_report(self.directory, "cinder-volume")
        self.ingest(ttl_seconds=3600)
        for report in ServiceReport.objects.all():
            self.assertEqual(datetime.timedelta(hours=1), report.expires_at - report.created_at)

    def test_by_default_the_collectors_default_ttl_and_minus_one_keeps_them(self):
        gmr_files.write_report(self.directory, "nova-compute")
        self.ingest()
        report = ServiceReport.objects.get()
        self.assertEqual(datetime.timedelta(days=30), report.expires_at - report.created_at)
        ServiceReport.objects.all().delete()
        reports._read_files.clear()
        self.ingest(ttl_seconds=-1)
        self.assertIsNone(ServiceReport.objects.get().expires_at)

    def test_the_reaper_deletes_expired_reports_with_the_events(self):
        from event_viewer.collector import store

        gmr_files.write_report(self.directory, "nova-compute")
        self.ingest(ttl_seconds=60)
        fresh = ServiceReport.objects.create(
            path="/elsewhere/x_gurumeditation_20261122120000",
            service="x",
            created_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        deleted = store.reap(batch_size=1, now=timezone.now() + datetime.timedelta(hours=1))
        self.assertEqual(1, deleted)
        self.assertEqual([fresh.pk], list(ServiceReport.objects.values_list("pk", flat=True)))

    def test_a_report_older_than_the_ttl_is_not_stored_again_after_reaping(self):
        path = gmr_files.write_plain_oslo_report(self.directory, "nova-compute")
        old = self.directory / "nova-compute_gurumeditation_20200101000000"
        path.rename(old)
        result = self.ingest()
        self.assertEqual((0, 1), (result.new, result.expired))
        self.assertEqual(0, ServiceReport.objects.count())

    def test_reports_are_written_to_the_stores_database_alias(self):
        gmr_files.write_report(self.directory, "nova-compute")
        real_using = ServiceReport.objects.using
        with (
            override_settings(EVENT_VIEWER_DATABASE="the-store"),
            mock.patch.object(
                ServiceReport.objects, "using", side_effect=lambda alias: real_using("default")
            ) as using,
        ):
            self.assertEqual(1, self.ingest().new)
        self.assertEqual({"the-store"}, {c.args[0] for c in using.call_args_list})
