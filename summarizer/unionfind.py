"""Disjoint sets over 0..n-1 (union-find with path halving): documents linked pairwise grouped into
stories or copies. Ten lines are not worth a graph library (scipy, networkx are no dependency here)."""

from __future__ import annotations


class DisjointSets:
    """Groups of the integers 0..n-1; a group's root is its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.root(i), self.root(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> list[list[int]]:
        """Every group's members in order, groups in the order of their first member."""
        members: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            members.setdefault(self.root(i), []).append(i)
        return list(members.values())
