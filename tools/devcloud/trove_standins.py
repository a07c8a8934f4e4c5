"""Stand-ins for the clients trove-api uses to reach Nova, Neutron, Cinder and the guest agent.

These are the ONLY non-real part of devcloud. Keystone, Cinder, trove-api, Trove's database
and the instance faults it serves are the real 2026.1 code; but a Trove instance is a Nova
server with a guest agent inside, and this laptop-sized cloud has no Nova, Neutron or guest
agent. trove-api calls them even to list instances (`servers.list()` for every listing), so
something has to answer. Trove's bundled fakes (trove.tests.fakes) do not work for this:
`FakeServers.list()` rejects the `limit` argument the API passes.

They answer like a cloud whose compute servers are gone: no servers, no ports, no volumes,
no agent. Trove then reports the instances with the status it keeps in its own database
(ERROR for the failed builds seed.py records) and serves their real faults.

Trove loads them through its `remote_*_client` options (see devcloud.py, trove.conf); each is
called like Trove's own factory, `(context, region_name=None, ...)`.
"""

from novaclient import exceptions as nova_exceptions


class _Servers:
    def list(self, *args, **kwargs):
        return []

    def get(self, server_id):
        raise nova_exceptions.NotFound(404, f"no Nova in devcloud (server {server_id})")


class _Flavors:
    def get(self, flavor_id):
        raise nova_exceptions.NotFound(404, f"no Nova in devcloud (flavor {flavor_id})")


class _ServerGroups:
    def list(self, *args, **kwargs):
        return []


class _Nova:
    def __init__(self):
        self.servers = _Servers()
        self.flavors = _Flavors()
        self.server_groups = _ServerGroups()


class _Neutron:
    def list_ports(self, **kwargs):
        return {"ports": []}

    def list_floatingips(self, **kwargs):
        return {"floatingips": []}

    def list_security_groups(self, **kwargs):
        return {"security_groups": []}


class _Volumes:
    def get(self, volume_id):
        # Trove's management view catches any error and shows no volume.
        raise LookupError(f"devcloud has no Cinder volume for Trove (volume {volume_id})")

    def list(self, *args, **kwargs):
        return []


class _Cinder:
    def __init__(self):
        self.volumes = _Volumes()


class _Guest:
    def __getattr__(self, name):
        def unavailable(*args, **kwargs):
            raise RuntimeError(f"devcloud has no Trove guest agent ({name})")

        return unavailable


def nova_client(context=None, *args, **kwargs):
    return _Nova()


def neutron_client(context=None, *args, **kwargs):
    return _Neutron()


def cinder_client(context=None, *args, **kwargs):
    return _Cinder()


def guest_client(context=None, *args, **kwargs):
    return _Guest()
