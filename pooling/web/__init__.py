"""Glue every app's pages and API use: DRF permissions, page decorators, middleware,
exports, the home page and its widgets, navigation, error pages, the kernel's own API."""
