"""Shared pieces of the Hypothesis strategies and the Faker provider."""
