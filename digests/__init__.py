"""Daily digests: a pure builder, an async sender and the scheduling glue (see issue 4)."""
