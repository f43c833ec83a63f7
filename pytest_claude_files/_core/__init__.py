"""The domain: files, clock, ids and naming rules. No HTTP, no pytest; imports nothing above it."""
