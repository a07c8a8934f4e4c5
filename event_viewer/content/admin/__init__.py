"""Admin -> Event Viewer: every project's failures (admin only)."""
