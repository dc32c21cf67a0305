"""One fetcher module per portal surface: each knows its request contract and returns raw JSON."""
