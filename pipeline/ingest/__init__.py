"""``news-pipeline ingest``: a polite producer of raw articles from feeds and news sitemaps.

Modules, one job each: ``config`` (the SOURCES file), ``fetch`` and ``robots`` (the HTTP
client), ``decode`` (charsets), ``discover`` (feeds and sitemaps to article links), ``seen``
(what was produced), ``sink`` and ``broker`` (where records go), ``run`` (the loop),
``service`` (the process), ``cli`` (the command). Its metrics are in pipeline.metrics.ingest,
its benchmark in pipeline.bench.ingest. Nothing is imported here, so that the CLI can register
the command without loading the HTTP client.
"""
