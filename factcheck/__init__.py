"""factcheck: check the figures and citations of health writing against PubMed."""

__version__ = "0.1.0"
