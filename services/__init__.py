"""Use cases: each function applies the domain's rules to the store."""
