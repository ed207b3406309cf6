"""The command line: the only place that parses argv; each command is a thin edge."""
