"""The compiler's typed errors (shared by the compiler and the untrusted-JSON loader)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompileError:
    block_id: str | None
    message: str

    def as_dict(self) -> dict:
        return {"block_id": self.block_id, "message": self.message}


class CompileFailed(Exception):
    """The workspace does not compile; ``errors`` lists each problem.  Permanent: fix the blocks."""

    def __init__(self, errors: list[CompileError]):
        super().__init__("; ".join(f"{e.block_id or 'workspace'}: {e.message}" for e in errors))
        self.errors = errors
