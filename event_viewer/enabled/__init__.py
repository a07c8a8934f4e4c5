"""Horizon "enabled" files: copy or link them into openstack_dashboard/local/enabled."""
