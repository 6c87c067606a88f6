"""results.json to words, tables and figures, and the rendered HTML and PDF."""
