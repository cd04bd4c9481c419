"""vazeh: a Persian news web archive.

The pipeline runs one way: capture -> archive -> extract -> index -> web.
"""

__version__ = "0.1.0"
