"""The replica of mst.gov.vn (the ministry's VCCorp-family newsroom CMS), beside www.most.gov.vn's.

Built from ``shared/site/SITE-mst.md``; see docs/replica.md ("The mst.gov.vn portal"). Entry
points: ``replica.mst.site.MstSite`` (pages and ground truth), ``replica.mst.site.MediaSite`` (the
stand-in for mic.mediacdn.vn), ``replica.server.make_mst_servers`` and
``replica.testing.running_mst_replica``; the command is ``most-archive replica --portal mst``.
"""
