"""Row locks the ORM does not offer (the ground under every floor; imports nothing of the project)."""
