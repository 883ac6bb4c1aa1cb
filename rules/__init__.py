"""One module per rule. Installed as ``migrator.rules``; the engine finds them with pkgutil."""
