"""The headless engine. Never imports textual."""
