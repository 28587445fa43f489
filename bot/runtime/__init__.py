"""The running process: logging, secret redaction, the heap at start-up, the webhook server."""
