"""Text helpers for the normalisation stage, one job per module.

cleaning: Unicode repair and whitespace; extraction: article body and metadata from HTML;
language: language identification; dates: publication dates to UTC; urls: canonical URLs.
"""
