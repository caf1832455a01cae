"""Lookthrough (穿透式监管平台): penetrating supervision for market-regulation bureaus."""

__version__ = "0.1.0"
