// Fixture: a cli header.
