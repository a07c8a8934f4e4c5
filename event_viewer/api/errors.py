"""Errors a source API can raise towards the views, with a user-facing message."""


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


class FeatureUnavailable(SourceError):
    """The service is up but too old (or configured) to provide what the panel needs."""
