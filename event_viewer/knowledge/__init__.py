"""The knowledge catalogue's pure logic: fingerprints, fingerprint rules (no I/O, no models)."""
