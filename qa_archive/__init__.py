"""qa-archive: find the answer a community already gave, in the reader Q&A of its weekly posts."""
__version__ = "0.1.0"
