"""What admins change: validating their input (any path) and applying it to storage."""
