"""Python tracebacks as the services send them: their OpenStack frames and their exception class.

Three shapes reach the plugin, all read here line by line:

- a plain Python traceback (a Trove fault's details, with Trove's ``Server type: ...``
  line in front; Trove's notifications, as a list of lines);
- oslo.messaging's remote form: a local traceback whose exception line carries
  the remote exception's message with the *remote* traceback appended (its
  entries separated by blank lines);
- Nova's ``ExceptionPayload.traceback``, the lines of ``format_exception``
  joined by ``,`` (so a frame line may start with ``,``).

Which frame is OpenStack code is decided from the file path alone (a frame's
module object is not in the text): the module is the path after the last
``site-packages``/``dist-packages`` directory, or, for a source checkout
(``/opt/stack/nova/nova/compute/manager.py``), after the first directory named
like an OpenStack package; its top-level package must be one of
:data:`OPENSTACK_PACKAGES` or start with ``oslo_``. The standard library and
third-party libraries (eventlet, sqlalchemy, requests, kombu, libvirt...) are
never in that list, so their frames are left out, and so are frames that are
the same for every failure (``oslo_utils.excutils``' re-raise bookkeeping).
"""

import re

#: How many frames a fingerprint keeps: the innermost ones, nearest the raise.
FRAME_COUNT = 3
#: Only the end of a longer traceback is read: the innermost frames are there.
MAX_TRACEBACK = 64 * 1024

#: Top-level packages of OpenStack services and libraries (besides ``oslo_*``).
OPENSTACK_PACKAGES = frozenset(
    (
        "nova cinder trove neutron neutron_lib glance glance_store keystone keystonemiddleware "
        "keystoneauth1 placement swift heat manila ironic octavia designate barbican magnum "
        "horizon openstack_dashboard os_brick os_vif os_win os_traits os_resource_classes "
        "castellan taskflow tooz ovsdbapp osprofiler novaclient cinderclient glanceclient "
        "neutronclient troveclient keystoneclient openstack"
    ).split()
)
#: Modules whose frames say nothing about the failure: re-raise machinery.
NOISE_MODULES = frozenset(("oslo_utils.excutils",))

_HEADER = "Traceback (most recent call last):"
_FRAME = re.compile(
    r'[\s,]*File "(?P<path>[^"\n]{1,4096})", line \d{1,9}, in (?P<function>[^\s]{1,256})',
    re.ASCII,
)
# The exception line that ends a traceback: "trove.common.exception.FlavorNotFound: ...".
_EXCEPTION_LINE = re.compile(r",?(?P<cls>[A-Za-z_][\w.]{0,254})(?::|$)", re.ASCII)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*", re.ASCII)
_PACKAGE_DIRS = ("site-packages", "dist-packages")
_REMOTE_SUFFIX = "_Remote"


def module_of(path):
    """The dotted module a frame's file is, or ``""`` where it is not a Python module."""
    path = path.replace("\\", "/")
    if not path.endswith(".py"):
        return ""
    parts = [part for part in path[:-3].split("/") if part]
    marks = [i for i, part in enumerate(parts) if part in _PACKAGE_DIRS]
    if marks:
        parts = parts[marks[-1] + 1 :]
    else:
        start = next((i for i, part in enumerate(parts) if is_openstack_package(part)), None)
        if start is None:
            return ""
        # A checkout's directory is named like its package: /opt/stack/nova/nova/...
        while start + 2 < len(parts) and parts[start + 1] == parts[start]:
            start += 1
        parts = parts[start:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(_IDENTIFIER.fullmatch(part) for part in parts):
        return ""
    return ".".join(parts)


def is_openstack_package(name):
    return name in OPENSTACK_PACKAGES or name.startswith("oslo_") or name == "oslo"


def is_openstack(module):
    """Whether a dotted module is OpenStack code (and not noise) by its top-level package."""
    return (
        bool(module)
        and is_openstack_package(module.split(".")[0])
        and module not in (NOISE_MODULES)
    )


def _blocks(traceback):
    """``[(frames, exception line)]`` of each traceback in the text, in order.

    A block starts at ``Traceback (most recent call last):`` (or at its first
    frame where the text was cut); its exception line is the first line after
    one of its frames that is neither indented (source code, ``^^^``) nor a
    frame. Later lines of a multi-line message are not read.
    """
    blocks = []
    for line in traceback[-MAX_TRACEBACK:].splitlines():
        line = line[1:] if line.startswith(",") else line  # Nova's ","-joined lines
        stripped = line.strip()
        if stripped.startswith(_HEADER):
            blocks.append([[], ""])
            continue
        match = _FRAME.match(line)
        if match:
            if not blocks:
                blocks.append([[], ""])
            blocks[-1][0].append((match.group("path"), match.group("function")))
        elif stripped and not line[:1].isspace() and blocks and blocks[-1][0]:
            blocks[-1][1] = blocks[-1][1] or stripped
    return blocks


def openstack_frames(traceback, count=FRAME_COUNT):
    """The innermost ``count`` OpenStack frames as ``module.function``, outermost first.

    They come from the last traceback in the text that has any: the remote one
    of an oslo.messaging remote error (where the failure happened), the last
    one of a chain (the exception that was raised). Repeated frames (recursion,
    stacked decorators) count once.
    """
    for frames, _exception in reversed(_blocks(traceback or "")):
        kept = []
        for path, function in frames:
            module = module_of(path)
            if is_openstack(module):
                name = f"{module}.{function}"
                if not kept or kept[-1] != name:
                    kept.append(name)
        if kept:
            return tuple(kept[-count:])
    return ()


def exception_class(traceback):
    """The class the last traceback in the text ends with, without module or ``_Remote``."""
    for _frames, line in reversed(_blocks(traceback or "")):
        match = _EXCEPTION_LINE.match(line)
        if match:
            return class_name(match.group("cls"))
    return ""


def class_name(value):
    """``nova.exception_Remote.NoValidHost_Remote`` -> ``NoValidHost``; ``""`` if not a name."""
    value = (value or "").strip().rpartition(".")[2]
    if value.endswith(_REMOTE_SUFFIX):
        value = value[: -len(_REMOTE_SUFFIX)]
    return value if _IDENTIFIER.fullmatch(value) else ""
