"""The certificate on paper: an A4 PDF that a person, a screen reader and a scanner can all read."""
