"""What must never be published: the leak check and the protection of small counts."""
