"""Dramatiq broker and actors, the outbox relay, email and the periodic sweep."""
