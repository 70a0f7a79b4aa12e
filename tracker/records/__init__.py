"""A candidate's records: tables, schemas, the kinds registry, the adapter to the engine."""
