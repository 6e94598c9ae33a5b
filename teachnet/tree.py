"""Nested structures: a tensor, or lists, tuples and dicts of them.

One set of helpers for the whole engine, with Keras 3's `keras.tree` order:
dicts are flattened in sorted key order (so `{"b": y, "a": x}` flattens to
`[x, y]` whatever order the keys were written in), and `pack_like` gives the
dict back with the user's key order. Leaves are everything that is not a
list, tuple or dict (None included).

    >>> flatten({"b": 2, "a": [1, (3,)]})
    [1, 3, 2]
    >>> pack_like({"b": 0, "a": [0, (0,)]}, [10, 30, 20])
    {'b': 20, 'a': [10, (30,)]}
"""


def flatten(structure):
    """The leaves of `structure`, depth first, dict values in sorted key order."""
    if isinstance(structure, dict):
        return [x for key in sorted(structure) for x in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [x for item in structure for x in flatten(item)]
    return [structure]


def pack_like(structure, flat):
    """The inverse of `flatten`: puts the values of `flat` into `structure`'s shape."""
    flat = iter(flat)

    def pack(s):
        if isinstance(s, dict):
            packed = {key: pack(s[key]) for key in sorted(s)}
            return {key: packed[key] for key in s}  # keep the user's key order
        if isinstance(s, (list, tuple)):
            return type(s)(pack(item) for item in s)
        return next(flat)
    return pack(structure)


def map_structure(fn, structure):
    """`structure` with `fn` applied to each leaf."""
    return pack_like(structure, [fn(x) for x in flatten(structure)])
