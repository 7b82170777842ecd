"""SYNTHETIC fixtures for the REFI-QDA tests (test_refiqda*.py)."""
