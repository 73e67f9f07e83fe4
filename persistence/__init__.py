"""SQLAlchemy tables and mapping, repositories, the unit of work and migrations."""
