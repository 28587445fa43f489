"""Backchannel's Telegram side: configuration, handlers, the application and its entry points."""
