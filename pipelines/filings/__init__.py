"""Primary sources beyond the curated files: what companies report to the SEC."""
