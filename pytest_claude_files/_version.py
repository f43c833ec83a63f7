"""The package version (one place: hatch reads it, the CLI and the OpenAPI document show it)."""

__version__ = "0.1.0"
