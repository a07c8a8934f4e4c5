"""The notification collector: listener, store, reaper and report ingestion."""
