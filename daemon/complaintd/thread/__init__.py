"""Threading: which ticket a message belongs to (tokens, references, subject tag)."""
