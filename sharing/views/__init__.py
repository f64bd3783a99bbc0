"""The energy-sharing pages (thin: they call sharing.services and sharing.selectors)."""
