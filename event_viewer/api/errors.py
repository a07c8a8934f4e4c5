"""Errors a source API can raise towards the views, and the translation into them."""

from keystoneauth1 import exceptions as ks_exceptions

from event_viewer import config


class SourceError(Exception):
    """A source (Cinder, Trove) could not answer: down, slow, or refused the request.

    ``message`` is safe to show to the user (it names the service and the reason,
    never a token or a URL with credentials); ``bad_request`` is True when the
    service rejected what the user asked for (a bad filter value) rather than failing.
    """

    def __init__(self, source, message, bad_request=False):
        super().__init__(message)
        self.source = source
        self.message = message
        self.bad_request = bad_request


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
        label, bad_request = self.label, False
        if isinstance(exc, ks_exceptions.ConnectTimeout):
            message = f"{label} did not answer within {config.source_timeout():g} s."
        elif isinstance(exc, ks_exceptions.ConnectFailure):
            message = f"{label} is not reachable."
        elif isinstance(exc, self.bad_request):
            message, bad_request = f"{label} rejected the request: {exc.message}", True
        elif isinstance(exc, self.forbidden):
            message = f"{label} refused the request: {exc.message}"
        elif isinstance(exc, self.http_error):
            message = f"{label} failed (HTTP {self.status_of(exc)}): {exc.message}"
        elif isinstance(exc, ks_exceptions.ClientException):
            message = f"{label} failed: {exc}"
        else:
            return False
        raise SourceError(self.source, message, bad_request=bad_request) from exc
