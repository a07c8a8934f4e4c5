"""The collector's options and what it listens on (issue 9, items 4 and 12)."""

import pytest
from oslo_config import cfg

from event_viewer.collector import cmd, listener, options


def conf_from(tmp_path, **values):
    path = tmp_path / "collector.conf"
    path.write_text("[collector]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()))
    conf = cfg.ConfigOpts()
    options.register(conf)
    conf(["--config-file", str(path)])
    return conf


@pytest.mark.parametrize(
    ("name", "absurd"),
    [
        ("message_ttl", options.MAX_MESSAGE_TTL + 1),
        ("message_ttl", 10**18),
        ("batch_size", 40000),  # twice that is past AMQP's 16-bit prefetch count
        ("db_retry_seconds", 7200),  # past RabbitMQ's consumer_timeout
        ("message_reap_interval", 10**12),
        ("message_reap_batch_size", 10**9),
        ("executor_threads", 10000),
        ("report_scan_interval", 10**9),
        ("batch_timeout", 10**9),
    ],
)
def test_absurd_option_values_are_refused(tmp_path, name, absurd):
    conf = conf_from(tmp_path, **{name: absurd})
    with pytest.raises(cfg.ConfigFileValueError):
        getattr(conf.collector, name)


def test_ten_years_is_the_longest_ttl(tmp_path):
    assert conf_from(tmp_path, message_ttl=10 * 365 * 86400).collector.message_ttl == 315360000


def test_the_collector_command_stops_at_once_on_an_absurd_option(tmp_path):
    path = tmp_path / "collector.conf"
    path.write_text("[collector]\nmessage_ttl = 99999999999999\n")
    with pytest.raises(SystemExit) as stop:
        cmd._setup(["--config-file", str(path)], "event-viewer-collector")
    assert "invalid [collector] option" in str(stop.value) and "message_ttl" in str(stop.value)


def test_by_default_it_listens_on_the_services_exchanges_and_both_formats(tmp_path):
    opts = conf_from(tmp_path).collector
    # Each service's own control exchange (Nova "nova", Keystone "keystone"...),
    # and oslo.messaging's default "openstack" that Cinder and Trove keep.
    assert {"nova", "glance", "neutron", "cinder", "heat", "keystone", "trove"} <= set(
        opts.exchanges
    )
    assert "openstack" in opts.exchanges
    assert opts.topics == ["notifications", "versioned_notifications"]


def test_one_target_per_exchange_and_topic_each_once():
    targets = listener.listen_targets(["nova", "openstack", "nova"], ["notifications", "v"])
    assert [(t.exchange, t.topic) for t in targets] == [
        ("nova", "notifications"),
        ("nova", "v"),
        ("openstack", "notifications"),
        ("openstack", "v"),
    ]
