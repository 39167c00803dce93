"""Models of this app; county-owned rows subclass pooling.scoping.ScopedModel."""
