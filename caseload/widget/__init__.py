"""Booking widgets at the HTTP edge: publishable keys, CORS, and the reference widget."""
