"""ai-infra-deals: a Dagster code location that tracks AI-infrastructure deals and circular money flows."""
