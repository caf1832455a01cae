"""Penetration (穿透): the related factors over-represented among a problem's subjects."""
