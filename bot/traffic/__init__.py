"""Keeping one busy reader from slowing the rest: per-person ordering and flood control."""
