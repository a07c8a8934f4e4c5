"""pytest configuration shared by the unit and end-to-end tests."""

import os
import tempfile

# Horizon's test settings write under the temporary directory at import time;
# keep those files out of the shared /tmp.
_PRIVATE_TMP = os.path.join(tempfile.gettempdir(), f"event-viewer-tests-{os.getuid()}")
os.makedirs(_PRIVATE_TMP, exist_ok=True)
os.environ["TMPDIR"] = _PRIVATE_TMP
tempfile.tempdir = _PRIVATE_TMP
