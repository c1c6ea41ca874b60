"""sidestream: a semantic catalogue of industrial sidestreams and critical raw materials."""

__version__ = "0.1.0"
