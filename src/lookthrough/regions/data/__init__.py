"""Package data for regions: ``built/`` is written by ``python -m lookthrough.regions.build``."""
