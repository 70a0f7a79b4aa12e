"""Web plumbing below every domain: request hooks (one commit per request, security
headers, error pages), the API's error body, template filters, paging, forms built from
schemas, the health check. Imports no domain package (checked: pyproject.toml)."""
