"""Errors a source API can raise towards the views, and the translation into them."""

from django.utils.translation import gettext_lazy as _
from keystoneauth1 import exceptions as ks_exceptions

from event_viewer import config


class SourceError(Exception):
    """A source (Cinder, Trove) could not answer: down, slow, or refused the request.

    ``message`` is safe to show to every user (it names the service and the
    reason, never a token or a URL with credentials); ``detail`` is what those
    the ``event_viewer:view_operator_details`` rule allows see instead, and what
    is logged: it may name infrastructure (a database's host and port), so it
    defaults to ``message`` and is never shown to anyone else. ``bad_request``
    is True when the service rejected what the user asked for (a bad filter
    value) rather than failing.
    """

    def __init__(self, source, message, bad_request=False, detail=None):
        super().__init__(message)
        self.source = source
        self.message = message
        self.bad_request = bad_request
        self.detail = detail or message

    def text_for(self, operator_details):
        """What the page shows: ``detail`` to those allowed operator details, else ``message``."""
        return self.detail if operator_details else self.message


class TokenRejected(Exception):
    """The service refused the user's token (expired or revoked): the user must log in again."""


class FeatureUnavailable(SourceError):
    """The service is up but too old (or configured) to provide what the panel needs."""


class ErrorTranslator:
    """A context manager turning one client library's failures into :class:`SourceError`.

    ``unauthorized`` becomes :class:`TokenRejected` (the views send the user to
    the login page); ``passthrough`` exceptions (``NotFound``: the views answer
    404) are left alone. Each client library names its HTTP error classes and
    status attribute differently, hence the parameters.
    """

    def __init__(
        self,
        source,
        label,
        *,
        unauthorized,
        passthrough,
        bad_request,
        forbidden,
        http_error,
        status_of,
    ):
        self.source = source
        self.label = label
        self.unauthorized = unauthorized
        self.passthrough = passthrough
        self.bad_request = bad_request
        self.forbidden = forbidden
        self.http_error = http_error
        self.status_of = status_of

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or isinstance(exc, self.passthrough):
            return False
        if isinstance(exc, self.unauthorized):
            raise TokenRejected(f"{self.label} refused the session's token.") from exc
        names, bad_request, detail = {"source": self.label}, False, None
        if isinstance(exc, ks_exceptions.ConnectTimeout):
            names["seconds"] = config.source_timeout()
            message = _("%(source)s did not answer within %(seconds)g s.") % names
        elif isinstance(exc, ks_exceptions.ConnectFailure):
            message = _("%(source)s is not reachable.") % names
        elif isinstance(exc, self.bad_request):
            names["reason"] = exc.message
            message, bad_request = _("%(source)s rejected the request: %(reason)s") % names, True
        elif isinstance(exc, self.forbidden):
            names["reason"] = exc.message
            message = _("%(source)s refused the request: %(reason)s") % names
        elif isinstance(exc, self.http_error):
            names.update(status=self.status_of(exc), reason=exc.message)
            message = _("%(source)s failed (HTTP %(status)s): %(reason)s") % names
        elif isinstance(exc, ks_exceptions.ClientException):
            # keystoneauth's own text names the endpoint (host and port): logged, not shown.
            names["kind"] = type(exc).__name__
            message = _("%(source)s failed (%(kind)s).") % names
            detail = f"{message} {exc}"
        else:
            return False
        raise SourceError(self.source, message, bad_request=bad_request, detail=detail) from exc
