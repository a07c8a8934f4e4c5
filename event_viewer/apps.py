"""The Django app of the Event Viewer plugin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventViewerConfig(AppConfig):
    name = "event_viewer"
    verbose_name = _("Event Viewer")
    # The collector may store millions of events: 64-bit ids.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from event_viewer import config, policy

        # The plugin's policy rules join Horizon's (scope "event_viewer").
        policy.register()
        # Guru Meditation Reports of the dashboard's process, only when
        # EVENT_VIEWER_REPORTS_DIR is set (oslo.reports is imported only then).
        if config.reports_dir():
            from event_viewer import gmr

            gmr.register_dashboard()
