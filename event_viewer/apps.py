"""The Django app of the Event Viewer plugin."""

from django.apps import AppConfig


class EventViewerConfig(AppConfig):
    name = "event_viewer"
    verbose_name = "Event Viewer"
    # The collector may store millions of events: 64-bit ids.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Guru Meditation Reports of the dashboard's process, only when
        # EVENT_VIEWER_REPORTS_DIR is set (oslo.reports is imported only then).
        from event_viewer import config

        if config.reports_dir():
            from event_viewer import gmr

            gmr.register_dashboard()
