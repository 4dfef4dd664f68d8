"""The sync protocol between phones and the server: wire types, ingest, limits."""
