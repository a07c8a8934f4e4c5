# Project -> Event Viewer. This file alone adds the app to INSTALLED_APPS
# (its templates and static files); the admin panel's file must not repeat it.
PANEL = "event_viewer"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "default"
ADD_PANEL = "event_viewer.content.project.panel.EventViewer"
ADD_INSTALLED_APPS = ["event_viewer"]
AUTO_DISCOVER_STATIC_FILES = True
