"""The dashboards' definitions, one module per board over shared query and panel builders.

``deploy/grafana/dashboards.py`` renders them to JSON; this package only describes them.
"""
