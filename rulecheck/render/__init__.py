"""Rendering for people: messages in zh and en, help and library errors, masking, --explain."""
