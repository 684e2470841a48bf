"""Directory trees, references, fsck and gc of the artifact store."""
from __future__ import annotations


class TreeMixin:
    """Store methods for trees, refs, fsck and gc."""
