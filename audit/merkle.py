"""The Merkle tree of RFC 6962 (section 2.1), its proofs and their verifiers, with no database in sight.

Leaves are hashed as SHA-256(0x00 || entry) and interior nodes as SHA-256(0x01 || left || right), so a
leaf can never be passed off as a node (second-preimage resistance). The tree shape is the RFC's for
every size: the left subtree holds the largest power of two strictly smaller than the size, so nothing
is padded and a tree of n leaves is a prefix of every later tree. That prefix property is what lets a
consistency proof show that today's log extends yesterday's without anyone rereading the entries.

Proof generators take `range_hash(start, end)`, the hash of the subtree over leaves [start, end): an
in-memory list (`ListTree`) in tests and the verifier, the stored subtree cache in production.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence

RangeHash = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than `size` (size >= 2): where the RFC splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def fold_right(pieces: Sequence[bytes]) -> bytes:
    """Hash perfect subtrees of decreasing size, left to right, into the root of their union.

    The RFC tree over n leaves is exactly the perfect subtrees of n's binary decomposition, joined from
    the right; this is what lets a checkpoint reuse cached subtrees instead of rereading leaves.
    """
    if not pieces:
        return EMPTY_ROOT
    root = pieces[-1]
    for piece in reversed(pieces[:-1]):
        root = node_hash(piece, root)
    return root


class Frontier:
    """The perfect subtrees covering the leaves seen so far: O(log n) memory, O(1) amortised per leaf.

    Streaming verification of millions of entries uses this instead of holding every leaf.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        node = leaf
        size = self.size
        while size & 1:
            node = node_hash(self._stack.pop(), node)
            size >>= 1
        self._stack.append(node)
        self.size += 1

    def root(self) -> bytes:
        return fold_right(self._stack)


def root_of(leaves: Iterable[bytes]) -> bytes:
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


class ListTree:
    """A tree over leaf hashes held in memory, with `range_hash` for the proof generators."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = leaves

    @property
    def size(self) -> int:
        return len(self.leaves)

    def range_hash(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self.leaves[start]
        if end == start:
            return EMPTY_ROOT
        k = split_point(end - start)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def root(self) -> bytes:
        return self.range_hash(0, self.size)


class ProofError(ValueError):
    """A proof was asked for that cannot exist (index or sizes out of range)."""


def inclusion_proof(index: int, size: int, range_hash: RangeHash) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 2.1.1: the sibling hashes from leaf `index` up to the root."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = split_point(end - start)
        if m < k:
            path.append(range_hash(start + k, end))
            end = start + k
        else:
            path.append(range_hash(start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_proof(first: int, second: int, range_hash: RangeHash) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 2.1.2: shows the tree of `first` leaves is a prefix of `second`'s."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to {second}")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(range_hash(start + k, end))
            end = start + k
        else:
            proof.append(range_hash(start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(range_hash(start, end))
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: recompute the root from a leaf hash and its path; False on any mismatch."""
    if not 0 <= index < size:
        return False
    fn, sn, running = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            running = node_hash(sibling, running)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            running = node_hash(running, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and running == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: both roots must be rebuilt from the proof; False on any mismatch."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
