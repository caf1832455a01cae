"""The analytics seam: indicator definitions as data, compiled to SQL, run on DuckDB over Arrow."""
