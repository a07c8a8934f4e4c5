"""Project -> Event Viewer: the current project's failures."""
