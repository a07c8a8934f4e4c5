# Admin -> Event Viewer. Needs _6010 (which installs the app).
PANEL = "event_viewer"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "default"
ADD_PANEL = "event_viewer.content.admin.panel.EventViewer"
