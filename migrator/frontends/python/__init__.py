"""The Python front end: BCC tools, ctypes/libbpf loaders and tracefs writers (standard ``ast`` only)."""
