"""Question sets: the typed model, loaders, validation, scoring and the bundled library."""
