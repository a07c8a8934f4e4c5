"""The admin's "by host" view: failures per host over the current filter, linking back."""

import collections
import dataclasses

from django import urls
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from horizon import messages, views

from event_viewer import config, export, filters
from event_viewer.content.admin.views import AdminScopeMixin
from event_viewer.content.project import views as project_views

UNKNOWN_HOST = ""


class ByHostView(AdminScopeMixin, project_views.ScopeMixin, views.HorizonTemplateView):
    template_name = "event_viewer/by_host.html"
    page_title = _("Failures by Host")

    def get_context_data(self, **kwargs):
        if not self.may_see_admin_text():
            # Hosts are operator details (policy rule event_viewer:view_operator_details).
            raise PermissionDenied(_("You are not allowed to see hosts."))
        context = super().get_context_data(**kwargs)
        try:
            query = self.current_query()
        except filters.InvalidFilter as error:
            messages.error(self.request, _("Invalid filter: %(error)s") % {"error": error})
            query = filters.Query()
        # Service events include operations that passed: failures are counted
        # unless the filter asks for an outcome itself.
        query = dataclasses.replace(query, outcome=query.outcome or "fail")
        # Walks the filtered events once (up to the export limit): the admin's
        # question is "which node is failing", over the range they chose.
        most = config.export_max_rows()
        events, errors = export.collect(self.sources_for(query), most)
        for error in errors:
            self.log_source_error(error)
            messages.error(self.request, self.error_text(error))
        counts = collections.Counter(e.host or UNKNOWN_HOST for e in events)
        context["hosts"] = [
            {"host": host, "count": count, "url": self.filter_url("host", host)}
            for host, count in counts.most_common()
        ]
        context["total"] = len(events)
        context["capped"] = len(events) >= most
        context["query"] = query
        context["index_url"] = urls.reverse(self.url_namespace + ":index")
        return context
