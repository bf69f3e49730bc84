"""RFC 6962 tree, proofs and verifiers against our own vectors (sizes 0..20 and off-by-one sizes)."""

import pytest

from audit import merkle

ENTRIES = [f"entry-{i}".encode() for i in range(21)]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]
ROOTS = {n: merkle.ListTree(LEAVES[:n]).root() for n in range(22)}

# Interoperability: the leaf inputs and roots used by public RFC 6962 implementations' test data.
INTEROP_INPUTS = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43"]
INTEROP_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
}


def test_it_hashes_leaves_and_nodes_with_distinct_prefixes():
    assert merkle.leaf_hash(b"ab") != merkle.node_hash(b"a", b"b")
    assert merkle.ListTree([]).root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", sorted(INTEROP_ROOTS))
def test_it_matches_published_rfc6962_roots(size):
    leaves = [merkle.leaf_hash(e) for e in INTEROP_INPUTS[:size]]
    assert merkle.root_of(leaves).hex() == INTEROP_ROOTS[size]


def test_it_shapes_unbalanced_trees_as_the_rfc_does_without_padding():
    a, b, c = LEAVES[:3]
    assert ROOTS[3] == merkle.node_hash(merkle.node_hash(a, b), c)
    assert ROOTS[3] != merkle.node_hash(merkle.node_hash(a, b), merkle.node_hash(c, c))


@pytest.mark.parametrize("size", range(1, 21))
def test_streaming_frontier_agrees_with_the_recursive_tree(size):
    assert merkle.root_of(LEAVES[:size]) == ROOTS[size]


@pytest.mark.parametrize("size", range(1, 21))
def test_inclusion_proofs_verify_for_every_leaf_and_fail_when_anything_is_wrong(size):
    tree = merkle.ListTree(LEAVES[:size])
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, tree.range_hash)
        assert merkle.verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, proof, ROOTS[size])
        assert not merkle.verify_inclusion(LEAVES[index], index, size + 1, proof, ROOTS[size + 1])
        assert not merkle.verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size - 1])
        assert not merkle.verify_inclusion(LEAVES[index], size, size, proof, ROOTS[size])
        if size > 1:
            assert not merkle.verify_inclusion(
                LEAVES[index], index - 1 if index else 1, size, proof, ROOTS[size]
            )
            assert not merkle.verify_inclusion(LEAVES[index], index, size - 1, proof, ROOTS[size - 1])
            assert not merkle.verify_inclusion(LEAVES[index], index, size, proof[:-1], ROOTS[size])
            assert not merkle.verify_inclusion(LEAVES[index], index, size, [*proof, LEAVES[0]], ROOTS[size])
            broken = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            assert not merkle.verify_inclusion(LEAVES[index], index, size, broken, ROOTS[size])


@pytest.mark.parametrize("second", range(1, 21))
def test_consistency_proofs_verify_for_every_prefix_and_fail_when_anything_is_wrong(second):
    tree = merkle.ListTree(LEAVES[:second])
    for first in range(second + 1):
        proof = merkle.consistency_proof(first, second, tree.range_hash)
        assert merkle.verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)
        if 0 < first < second:
            assert not merkle.verify_consistency(first, second, ROOTS[first], ROOTS[second - 1], proof)
            assert not merkle.verify_consistency(first + 1, second, ROOTS[first + 1], ROOTS[second], proof)
            assert not merkle.verify_consistency(first - 1, second, ROOTS[first - 1], ROOTS[second], proof)
            assert not merkle.verify_consistency(first, second + 1, ROOTS[first], ROOTS[second + 1], proof)
            forged_first = merkle.ListTree([*LEAVES[: first - 1], merkle.leaf_hash(b"x")]).root()
            assert not merkle.verify_consistency(first, second, forged_first, ROOTS[second], proof)
            assert not merkle.verify_consistency(first, second, ROOTS[first], ROOTS[second], proof[:-1])


def test_impossible_proofs_are_refused():
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(3, 3, merkle.ListTree(LEAVES[:3]).range_hash)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(4, 3, merkle.ListTree(LEAVES[:3]).range_hash)
    assert not merkle.verify_consistency(4, 3, ROOTS[4], ROOTS[3], [])
    assert not merkle.verify_consistency(3, 3, ROOTS[3], ROOTS[3], [LEAVES[0]])
    assert not merkle.verify_consistency(0, 3, ROOTS[1], ROOTS[3], [])
    assert not merkle.verify_consistency(3, 5, ROOTS[3], ROOTS[5], [])
    assert not merkle.verify_inclusion(LEAVES[0], 0, 2, [], ROOTS[2])
