"""The C front end: lexing, masking, per-construct parsing, the probe model builder."""
