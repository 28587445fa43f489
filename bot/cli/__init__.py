"""The `backchannel` command line and the console: the bot's entry points outside Telegram."""
