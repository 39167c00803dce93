"""待遇不降: counties' pre-pooling parameters compared item by item with the unified policy."""
