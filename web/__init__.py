"""The public face: a static status site and Atom feeds, read-only, built from the database.

News desks and status pages (Statuspage, Cachet) publish a page and a feed; Backchannel does
too, so people who never open Telegram can follow the channels. Nothing here can change data.
"""
