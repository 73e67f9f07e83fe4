"""Test support: the real server, the real SMTP server, the clock, the GraphQL client."""
