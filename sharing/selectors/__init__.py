"""Reads of energy sharing that pages, API and documents share."""
