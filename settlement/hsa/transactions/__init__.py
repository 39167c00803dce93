"""One module per family of transactions; each registers its infnos with `dispatch.register`."""
