"""The recurring digest and alert jobs, and the Telegram side of what they send."""
