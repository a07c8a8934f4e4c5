"""event-viewer: a Horizon plugin that shows why asynchronous operations failed."""
