"""Models of this app (see DOMAIN.md)."""
