"""Handling's import kinds (employers, people, enrolments, declarations, collections),
registered with the shared workflow in `pooling.imports`; people files at city scale
take the set-wise PostgreSQL path (`people_sql`, `people_copy`)."""
