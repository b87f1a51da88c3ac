"""Homeward platform: app factory, configuration, database, security primitives."""
