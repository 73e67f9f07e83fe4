"""Caseload's rules as plain Python: no ORM, no GraphQL, no clock (time is passed in)."""
