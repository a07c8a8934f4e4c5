"""Trove instance faults through python-troveclient (filled in by the project-panel work)."""

SOURCE = "trove"
SERVICE_TYPES = ("database",)
