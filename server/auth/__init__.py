"""Who is asking: passwords, bearer tokens, console sessions, guards and training visibility."""
