"""Who may call the verification API for private apps: organisations, their API keys, each key's
rate limit and what each key was used for (no SQL, no HTTP)."""
