"""Timeline charts for Telegram: drawn off the event loop, on shared windows, and cached."""
