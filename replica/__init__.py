"""The replica of www.most.gov.vn: a deterministic generator, its ground truth and an HTTP server.

See docs/replica.md. Entry points: ``replica.site.Site``, ``replica.testing.running_replica``,
``replica.server.make_server`` and the ``most-archive replica`` command (``replica.cli``).
The second portal, mst.gov.vn, lives in ``replica.mst`` (``most-archive replica --portal mst``,
``replica.testing.running_mst_replica``, ``replica.server.make_mst_servers``).
"""
