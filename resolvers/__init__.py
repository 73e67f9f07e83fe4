"""Use cases, one per operation: authorise, load through the unit of work, call the domain,
commit. Plus the DataLoaders that feed schema fields."""
