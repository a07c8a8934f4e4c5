"""Migration 0004 on a store that already holds reports: they get an expiry and stay one each."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [("event_viewer", "0003_service_event_exception")]
AFTER = [("event_viewer", "0004_service_report_host_path_expiry")]
WRITTEN = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)


class ReportMigrationTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        self.migrate(executor_leaf())
        super().tearDown()

    def test_existing_reports_expire_30_days_after_they_were_written(self):
        old_apps = self.migrate(BEFORE)
        old_apps.get_model("event_viewer", "ServiceReport").objects.create(
            path="/var/lib/reports/nova_gurumeditation_20261122120000",
            service="nova",
            host="node-1",
            created_at=WRITTEN,
        )
        new_apps = self.migrate(AFTER)
        reports = new_apps.get_model("event_viewer", "ServiceReport")
        (report,) = reports.objects.all()
        self.assertEqual(WRITTEN + datetime.timedelta(days=30), report.expires_at)
        # The same file of another host is a report of its own now.
        reports.objects.create(path=report.path, service="nova", host="node-2", created_at=WRITTEN)
        self.assertEqual(2, reports.objects.count())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("event_viewer")
