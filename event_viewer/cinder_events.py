"""Decoding Cinder user-message event ids: ``VOLUME_<RESOURCE>_<ACTION>_<DETAIL>``.

The numbers are Cinder's (``cinder/message/message_field.py``, 2026.1): an action
code (what Cinder was doing) and a detail code (what went wrong). Deployers can
add their own explanations -- the advice their users should read -- through the
``EVENT_VIEWER_EVENT_EXPLANATIONS`` setting (a dict from event id to text), see
:func:`explanation`.

The texts are Cinder's own English (Cinder marks them for translation too), shown
on the detail page beside the code: they go through this plugin's catalogue, so
a user reads them in their language whatever Cinder's API answered. The codes
(``NO_BACKEND_AVAILABLE``) stay as they are: they are what a search or a bug
report needs.
"""

import dataclasses
import re

from django.utils.translation import gettext_lazy as _

from event_viewer import config

ACTIONS = {
    "001": ("SCHEDULE_ALLOCATE_VOLUME", _("schedule allocate volume")),
    "002": ("ATTACH_VOLUME", _("attach volume")),
    "003": ("COPY_VOLUME_TO_IMAGE", _("copy volume to image")),
    "004": ("UPDATE_ATTACHMENT", _("update attachment")),
    "005": ("COPY_IMAGE_TO_VOLUME", _("copy image to volume")),
    "006": ("UNMANAGE_VOLUME", _("unmanage volume")),
    "007": ("EXTEND_VOLUME", _("extend volume")),
    "008": ("CREATE_VOLUME_FROM_BACKEND", _("create volume from backend storage")),
    "009": ("SNAPSHOT_CREATE", _("create snapshot")),
    "010": ("SNAPSHOT_DELETE", _("delete snapshot")),
    "011": ("SNAPSHOT_UPDATE", _("update snapshot")),
    "012": ("SNAPSHOT_METADATA_UPDATE", _("update snapshot metadata")),
    "013": ("BACKUP_CREATE", _("create backup")),
    "014": ("BACKUP_DELETE", _("delete backup")),
    "015": ("BACKUP_RESTORE", _("restore backup")),
    "016": ("REIMAGE_VOLUME", _("reimage volume")),
}

DETAILS = {
    "001": ("UNKNOWN_ERROR", _("An unknown error occurred.")),
    "002": ("DRIVER_NOT_INITIALIZED", _("Driver is not initialized at present.")),
    "003": ("NO_BACKEND_AVAILABLE", _("Could not find any available weighted backend.")),
    "004": ("FAILED_TO_UPLOAD_VOLUME", _("Failed to upload volume to image at backend.")),
    "005": ("VOLUME_ATTACH_MODE_INVALID", _("Volume's attach mode is invalid.")),
    "006": ("QUOTA_EXCEED", _("Not enough quota resource for operation.")),
    "007": (
        "NOT_ENOUGH_SPACE_FOR_IMAGE",
        _("Image used for creating volume exceeds available space."),
    ),
    "008": ("UNMANAGE_ENC_NOT_SUPPORTED", _("Unmanaging encrypted volumes is not supported.")),
    "009": ("NOTIFY_COMPUTE_SERVICE_FAILED", _("Compute service failed to extend volume.")),
    "010": ("DRIVER_FAILED_EXTEND", _("Volume Driver failed to extend volume.")),
    "011": ("SIGNATURE_VERIFICATION_FAILED", _("Image signature verification failed.")),
    "012": ("DRIVER_FAILED_CREATE", _("Driver failed to create the volume.")),
    "013": ("SNAPSHOT_CREATE_ERROR", _("Snapshot failed to create.")),
    "014": ("SNAPSHOT_UPDATE_METADATA_FAILED", _("Volume snapshot update metadata failed.")),
    "015": ("SNAPSHOT_IS_BUSY", _("Snapshot is busy.")),
    "016": ("SNAPSHOT_DELETE_ERROR", _("Snapshot failed to delete.")),
    "017": ("BACKUP_INVALID_STATE", _("Backup status is invalid.")),
    "018": ("BACKUP_SERVICE_DOWN", _("Backup service is down.")),
    "019": (
        "BACKUP_CREATE_DEVICE_ERROR",
        _("Failed to get backup device from the volume service."),
    ),
    "020": ("BACKUP_CREATE_DRIVER_ERROR", _("Backup driver failed to create backup.")),
    "021": ("ATTACH_ERROR", _("Failed to attach volume.")),
    "022": ("DETACH_ERROR", _("Failed to detach volume.")),
    "023": ("BACKUP_CREATE_CLEANUP_ERROR", _("Cleanup of temporary volume/snapshot failed.")),
    "024": (
        "BACKUP_SCHEDULE_ERROR",
        _("Backup failed to schedule. Service not found for creating backup."),
    ),
    "025": ("BACKUP_DELETE_DRIVER_ERROR", _("Backup driver failed to delete backup.")),
    "026": ("BACKUP_RESTORE_ERROR", _("Backup driver failed to restore backup.")),
    "027": ("VOLUME_INVALID_STATE", _("Volume status is invalid.")),
    "028": ("REIMAGE_VOLUME_FAILED", _("Compute service failed to reimage volume.")),
    "029": (
        "IMAGE_FORMAT_UNACCEPTABLE",
        _(
            "The image disk format must be the same as the volume format for the volume "
            "type you are requesting."
        ),
    ),
    "030": (
        "INCREMENTAL_BACKUP_FORCES_FULL_BACKUP",
        _("Incremental backup not possible, forcing full backup."),
    ),
}

_EVENT_ID = re.compile(r"^VOLUME_(?P<resource>[A-Z_]+?)_(?P<action>\d{3})_(?P<detail>\d{3})$")


@dataclasses.dataclass(frozen=True)
class DecodedEvent:
    resource: str
    action_code: str
    action: str  # e.g. SCHEDULE_ALLOCATE_VOLUME, or "" when unknown to this table
    action_text: str
    detail_code: str
    detail: str  # e.g. NO_BACKEND_AVAILABLE
    detail_text: str


def decode(event_id):
    """The parts of a Cinder event id, or None when it is not of Cinder's form."""
    match = _EVENT_ID.match(event_id or "")
    if match is None:
        return None
    action, action_text = ACTIONS.get(match["action"], ("", ""))
    detail, detail_text = DETAILS.get(match["detail"], ("", ""))
    return DecodedEvent(
        resource=match["resource"],
        action_code=match["action"],
        action=action,
        action_text=action_text,
        detail_code=match["detail"],
        detail=detail,
        detail_text=detail_text,
    )


def explanation(event_id):
    """The deployer's own explanation of an event id, if they configured one."""
    return config.event_explanations().get(event_id, "")
