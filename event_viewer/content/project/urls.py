from django.urls import re_path

from event_viewer.content.project import views

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
]
