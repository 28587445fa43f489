"""Source watch: feeds and forwarded posts in, matched to channels, kept for admins to review."""
