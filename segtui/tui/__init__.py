"""The Textual console. Calls the core's services; writes no SQL."""
