"""Models of this app; county-owned rows subclass pooling.kernel.scoping.ScopedModel."""
