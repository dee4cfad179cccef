"""Stage 1: a report file's bytes to text (see ``sniff``)."""
from .sniff import Document, NeedsOCR, ReadError, read_bytes, read_file, sniff

__all__ = ["Document", "NeedsOCR", "ReadError", "read_bytes", "read_file", "sniff"]
