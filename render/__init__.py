"""Data in, what a reader sees out: Telegram HTML, split messages, charts, export files.

Pure functions of storage models and plain values. Nothing here talks to Telegram or opens the
database, so digests, the CLI and (later) web pages reuse the same renderings.
"""
