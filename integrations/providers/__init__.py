"""One module per integration kind; ``integrations.registry`` maps each type key to its provider."""
