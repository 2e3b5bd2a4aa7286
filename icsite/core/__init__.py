"""Shared by every stage: configuration, problems (errors as data), formatting, periods, caching."""
