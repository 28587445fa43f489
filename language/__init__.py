"""What people type, understood: plain-language questions, and suggestions for typos.

Pure text processing with no Telegram, database or clock, below every other layer, so the
bot, the digests and future sources can all use the same vocabulary.
"""
