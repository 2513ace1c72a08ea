"""Loaders: parse, normalise and validate input files, and write them through graph.store."""
