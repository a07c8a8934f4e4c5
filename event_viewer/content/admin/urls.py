"""The admin panel's URLs: the project panel's patterns on the admin views, by-host, reports."""

from django.urls import re_path

from event_viewer.content.admin import hosts, reports, views
from event_viewer.content.project import urls as project_urls

urlpatterns = [
    re_path(r"^by-host/$", hosts.ByHostView.as_view(), name="by_host"),
    re_path(r"^reports/$", reports.ReportsView.as_view(), name="reports"),
    re_path(
        r"^reports/(?P<report_id>\d+)/$",
        reports.ReportDetailView.as_view(),
        name="report_detail",
    ),
    *(
        re_path(
            pattern.pattern.regex.pattern,
            getattr(views, pattern.callback.view_class.__name__).as_view(),
            name=pattern.name,
        )
        for pattern in project_urls.urlpatterns
    ),
]
