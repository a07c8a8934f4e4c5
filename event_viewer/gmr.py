"""Guru Meditation Reports of our own processes: the collector and the dashboard.

:func:`register` sets up oslo.reports' ``TextGuruMeditation`` for the calling
process: ``kill -USR2 <pid>`` and/or touching a trigger file writes a report
(package version, threads, green threads, processes, configuration, and the
caller's own sections) into a reports directory, as a file named
``<service>.<pid>_gurumeditation_<UTC timestamp>``. The collector ingests that
directory (``event_viewer.collector.reports``) and the admin panel shows them.

:func:`register_dashboard` is what the Django app calls at start-up; it does
nothing unless ``EVENT_VIEWER_REPORTS_DIR`` is set, and never raises.
"""

import collections.abc
import dataclasses
import importlib.metadata
import logging
import os
import signal

from oslo_config import cfg
from oslo_reports import guru_meditation_report
from oslo_reports import opts as report_opts
from oslo_reports.generators import conf as conf_generator

from event_viewer import config

LOG = logging.getLogger(__name__)

#: The signal every OpenStack service uses for its report (mod_wsgi owns SIGUSR1).
REPORT_SIGNAL = signal.SIGUSR2

DISTRIBUTION = "event-viewer"
DASHBOARD_SERVICE_NAME = "horizon"
#: Seconds between two looks at the trigger file, as oslo.reports' default.
DEFAULT_TRIGGER_INTERVAL = 1


@dataclasses.dataclass(frozen=True)
class Registration:
    """What :func:`register` set up in this process."""

    service_name: str
    reports_dir: str
    report_class: type
    trigger_file: str | None
    signal_registered: bool
    # The SIGUSR2 handler before ours, for whoever must put it back (tests).
    previous_signal_handler: object = None


class PackageVersion:
    """The version object of oslo.reports' Package section, from the installed distribution.

    oslo.reports asks for the three methods of nova's ``version`` module.
    """

    def __init__(self, service_name):
        self.service_name = service_name

    def vendor_string(self):
        return _metadata("Author") or DISTRIBUTION

    def product_string(self):
        return f"{DISTRIBUTION} ({self.service_name})"

    def version_string_with_package(self):
        try:
            return importlib.metadata.version(DISTRIBUTION)
        except importlib.metadata.PackageNotFoundError:
            return "unknown (not installed)"


def _metadata(field):
    try:
        return importlib.metadata.metadata(DISTRIBUTION).get(field)
    except importlib.metadata.PackageNotFoundError:
        return None


class ProcessGuruMeditation(guru_meditation_report.TextGuruMeditation):
    """``TextGuruMeditation`` with one file per process and sections of its own.

    oslo.reports keeps registered sections on the class: :func:`register` makes
    a subclass per registration, so that its sections stay out of
    ``TextGuruMeditation`` (which another library in the process may use) and
    registering twice does not repeat them.
    """

    persistent_sections = []

    @classmethod
    def handle_signal(cls, version, service_name, log_dir, frame):
        # One touch of a trigger file makes every WSGI process (or every
        # collector) of the node write a report in the same second: the pid,
        # taken when the report is written (after any fork), keeps their file
        # names apart. The collector's parser takes it off the service name.
        super().handle_signal(version, f"{service_name}.{os.getpid()}", log_dir, frame)


def register(
    service_name,
    reports_dir=None,
    *,
    conf=None,
    trigger_file=None,
    trigger_interval=None,
    extra_sections=None,
    signal_trigger=True,
):
    """Make this process write a Guru Meditation Report on SIGUSR2 and/or a trigger file's touch.

    ``service_name``: the report's service, e.g. ``"event-viewer-collector"``.
    ``reports_dir``: where report files go (created if missing); None takes
    ``conf.oslo_reports.log_dir``.
    ``conf``: the process's ``oslo_config.cfg.ConfigOpts``. Its ``[oslo_reports]``
    options are registered if they are not; ``file_event_handler`` and
    ``file_event_handler_interval`` are the trigger file and its interval unless
    given here. A ``conf`` other than ``cfg.CONF`` is added as its own section
    (oslo.reports' Configuration section always shows ``cfg.CONF``).
    ``trigger_file``: touching it writes a report; created if missing (oslo.reports
    needs it to exist). Do not delete it: oslo.reports stops watching then.
    ``extra_sections``: ``{title: callable}``, each callable returning text or a
    mapping (shown as ``key = value`` lines) when a report is written.
    ``signal_trigger``: False leaves SIGUSR2 alone (a WSGI server's own signal).

    Registering the signal only works in the main thread: elsewhere it is
    logged as a warning and the trigger file (if any) still works. Raises
    ``ValueError`` without a reports directory and ``OSError`` when the directory
    or the trigger file cannot be created.
    """
    if conf is not None:
        report_opts.set_defaults(conf)
        reports_dir = reports_dir or conf.oslo_reports.log_dir
        trigger_file = trigger_file or conf.oslo_reports.file_event_handler
        if trigger_interval is None:
            trigger_interval = conf.oslo_reports.file_event_handler_interval
    if not reports_dir:
        raise ValueError("No reports directory: pass one or set [oslo_reports] log_dir.")
    reports_dir = os.path.abspath(reports_dir)
    os.makedirs(reports_dir, exist_ok=True)

    version = PackageVersion(service_name)
    report_class = _report_class(service_name, conf, extra_sections or {})

    if trigger_file:
        trigger_file = os.path.abspath(trigger_file)
        _create_if_missing(trigger_file)
        report_class.setup_autorun(
            version,
            service_name,
            reports_dir,
            conf=_trigger_conf(trigger_file, trigger_interval or DEFAULT_TRIGGER_INTERVAL),
            setup_signal=False,
        )

    signal_registered = False
    previous_handler = None
    if signal_trigger:
        previous_handler = signal.getsignal(REPORT_SIGNAL)
        try:
            report_class.setup_autorun(version, service_name, reports_dir, signum=REPORT_SIGNAL)
        except ValueError as error:  # "signal only works in main thread"
            LOG.warning(
                "Guru Meditation Reports of %s: SIGUSR2 not registered (%s); %s",
                service_name,
                error,
                f"touch {trigger_file} instead" if trigger_file else "no trigger is registered",
            )
        else:
            # mod_wsgi's signal.signal() ignores handlers without raising.
            signal_registered = signal.getsignal(REPORT_SIGNAL) is not previous_handler
            if not signal_registered:
                LOG.warning(
                    "Guru Meditation Reports of %s: the server ignored the SIGUSR2 handler",
                    service_name,
                )

    LOG.info(
        "Guru Meditation Reports of %s (pid %d) go to %s on %s",
        service_name,
        os.getpid(),
        reports_dir,
        " and ".join(
            ([f"SIGUSR2 (kill -USR2 {os.getpid()})"] if signal_registered else [])
            + ([f"touching {trigger_file}"] if trigger_file else [])
        )
        or "nothing (no trigger registered)",
    )
    return Registration(
        service_name=service_name,
        reports_dir=reports_dir,
        report_class=report_class,
        trigger_file=trigger_file,
        signal_registered=signal_registered,
        previous_signal_handler=previous_handler if signal_registered else None,
    )


def register_dashboard():
    """The dashboard process's reports, when ``EVENT_VIEWER_REPORTS_DIR`` is set (else None).

    With ``EVENT_VIEWER_REPORTS_TRIGGER_FILE`` set the trigger file is the only
    trigger: WSGI servers keep SIGUSR2 for themselves (uWSGI's master, gunicorn's
    arbiter) or refuse handlers (mod_wsgi). Never raises: a dashboard without
    reports is better than no dashboard.
    """
    reports_dir = config.reports_dir()
    if not reports_dir:
        return None
    trigger_file = config.reports_trigger_file()
    try:
        return register(
            DASHBOARD_SERVICE_NAME,
            reports_dir,
            trigger_file=trigger_file,
            signal_trigger=not trigger_file,
        )
    except Exception:
        LOG.exception("Guru Meditation Reports of the dashboard could not be set up")
        return None


def _report_class(service_name, conf, extra_sections):
    sections = [(title, _text_section(produce)) for title, produce in extra_sections.items()]
    if conf is not None and conf is not cfg.CONF:
        sections.insert(
            0, (f"Configuration ({service_name})", conf_generator.ConfigReportGenerator(conf))
        )
    return type(
        ProcessGuruMeditation.__name__, (ProcessGuruMeditation,), {"persistent_sections": sections}
    )


def _text_section(produce):
    """A section generator that never fails the whole report (it runs in a signal handler)."""

    def generate():
        try:
            value = produce()
        except Exception as error:
            return f"This section could not be produced: {type(error).__name__}: {error}"
        if isinstance(value, collections.abc.Mapping):
            return "\n".join(f"{key} = {value[key]}" for key in sorted(value, key=str))
        return str(value)

    return generate


def _create_if_missing(path):
    # O_APPEND without writing leaves an existing file's time alone (a change
    # of it would trigger a report). Group-readable: oslo.reports complains otherwise.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640))


def _trigger_conf(trigger_file, interval):
    """A private ConfigOpts with only the trigger: oslo.reports reads it from ``[oslo_reports]``."""
    conf = cfg.ConfigOpts()
    report_opts.set_defaults(conf)
    conf.set_override("file_event_handler", trigger_file, group="oslo_reports")
    conf.set_override("file_event_handler_interval", interval, group="oslo_reports")
    return conf
