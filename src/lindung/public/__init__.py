"""What anyone may ask without signing in: the coverage check and a claim's status."""
