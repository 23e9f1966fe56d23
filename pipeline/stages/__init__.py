"""The three enrichment stages, each a pure module with no Kafka in it.

normalise: raw record -> normalised article; entities: article -> article with entities;
stance: tagged article -> article with a stance per entity.
"""
