"""``pyspark.sql.streaming``'s path; the data source part lives in ``.datasource``."""
