"""APScheduler wiring and the recurring work the bot does on its own."""
