"""Accelerator price sources: one HTTP client, one parser per real format, one accelerator mapping."""
