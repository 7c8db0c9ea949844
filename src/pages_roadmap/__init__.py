"""pages-roadmap: roadmaps as data for Jekyll sites."""

__version__ = "0.1.0"
