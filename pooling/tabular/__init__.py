"""Reading and writing tables: CSV (UTF-8, BOM, GBK) and XLSX readers with
row/column/reason reports (`reader`, `xlsx`), and PostgreSQL bulk loading (`bulkload`)."""
