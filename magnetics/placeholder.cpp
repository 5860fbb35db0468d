// Replaced by the first magnetics source.
