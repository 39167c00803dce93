"""Writes of designated-provider management; one module per part of the job."""
