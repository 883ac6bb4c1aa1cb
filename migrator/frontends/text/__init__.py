"""Text-level front ends: tracefs definitions in shell scripts and strings, user-space loaders in C."""
