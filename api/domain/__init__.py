"""Domain rules as plain functions: no flask imports; refusals raise api.errors.DomainError."""
