"""The root fields a publishable key opens (and that only a request with a key may touch)."""

WIDGET_ROOT_FIELDS = frozenset({"publicPractice", "publicAvailability", "bookAsGuest"})
