"""Raw files to processed tables: find, read, link, validate, pseudonymise."""
