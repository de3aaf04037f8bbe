"""Built-in backends. Each sub-package is a plugin registered through an entry point."""
