from django.urls import re_path

from event_viewer.content.project import views

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^delete-matching/$", views.DeleteMatchingView.as_view(), name="delete_matching"),
    re_path(r"^export/(?P<format>csv|json)/$", views.ExportView.as_view(), name="export"),
    re_path(r"^(?P<event_ref>[a-z]+:[^/]+)/$", views.DetailView.as_view(), name="detail"),
]
