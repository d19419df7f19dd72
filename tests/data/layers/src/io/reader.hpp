// Fixture: an io header.
