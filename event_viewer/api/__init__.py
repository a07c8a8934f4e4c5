"""The only modules of the plugin that talk to OpenStack service clients.

Views and tables never import a client library; they call these functions,
which apply the bounded timeout, pick the API microversion and translate
client failures into :class:`event_viewer.api.errors.SourceError`.
"""
