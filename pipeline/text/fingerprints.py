"""Fingerprints of an article body for duplicate detection: exact after normalisation, and
MinHash signatures for near copies.

Both work on the body's words, lower-cased, with punctuation and quote styles dropped, so a
copy whose quotes, dashes or whitespace were retyped still has the same words. Near copies
(a paragraph edited or added, boilerplate around it, a new title) keep most of their word
5-shingles, while two different stories on the same subject share almost none: on BBC
articles of one category, different stories have a shingle Jaccard under 0.1, and a copy with
a paragraph added stays above 0.75.

Hashes are blake2b, not Python's ``hash``, so that a fingerprint is the same in every process
and across restarts: the dedup state is rebuilt from Kafka by another worker.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16  # of PERMUTATIONS // BANDS rows: candidates are found down to a Jaccard of ~0.5
_ROWS = PERMUTATIONS // BANDS
_WORD = re.compile(r"\w+")
_PRIME = np.uint64((1 << 61) - 1)
_MAX = np.uint64((1 << 32) - 1)
# Fixed coefficients of the permutations ((a * x + b) mod p): part of the fingerprint format.
_RNG = np.random.default_rng(20261126)
_A = _RNG.integers(1, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)
_B = _RNG.integers(0, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _digest(text: str, size: int = 8) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=size).digest(), "big")


def content_key(text: str) -> int:
    """Equal for bodies with the same words in the same order."""
    return _digest(" ".join(words(text)))


def minhash(text: str) -> np.ndarray:
    """The body's MinHash signature over word 5-shingles (uint32, ``PERMUTATIONS`` long)."""
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        shingles = {" ".join(tokens)}
    else:
        shingles = {
            " ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)
        }
    # 32-bit shingle hashes keep a * x + b inside 64 bits before the modulus.
    hashes = np.fromiter((_digest(s, 4) for s in shingles), dtype=np.uint64, count=len(shingles))
    permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return (permuted & _MAX).min(axis=0).astype(np.uint32)


def band_keys(signature: np.ndarray) -> list[int]:
    """One key per band of the signature: two bodies that share a key are near-copy candidates."""
    return [
        _digest(f"{band}:" + signature[band * _ROWS : (band + 1) * _ROWS].tobytes().hex())
        for band in range(BANDS)
    ]


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    return float(np.mean(first == second))
