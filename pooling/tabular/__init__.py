"""Reading and writing tables: the one reader every import goes through (`reader`, with
`sniff`, `text`, `xlsx`, `cells` and the messages in `errors`): rows with row/column/reason
reports, whatever the bytes; and PostgreSQL bulk loading (`bulkload`)."""
