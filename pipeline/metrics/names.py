"""The one metric-name prefix every Prometheus series of the pipeline starts with."""

PREFIX = "news_pipeline"
