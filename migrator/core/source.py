"""Source files as bytes: lossless decoding and one offset space for everything downstream."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


def decode(data: bytes) -> str:
    # surrogateescape keeps every byte that is not UTF-8 (Latin-1 comments, stray bytes) as a
    # lone surrogate, so encode(decode(b)) == b and one character is one source position.
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@dataclass
class Source:
    path: str
    data: bytes
    text: str = ""
    line_starts: list[int] = field(default_factory=list)
    # the local headers the file includes, (path, text), read with it (migrator/check/includes.py):
    # the C front end takes their macros; positions never point into them
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> Source:
        text = decode(data)
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return cls(path, data, text, starts)

    def line_of(self, offset: int) -> int:
        """1-based line holding ``offset``."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 1-based byte column of ``offset`` (gcc counts bytes too)."""
        line = self.line_of(offset)
        start = self.line_starts[line - 1]
        return line, len(encode(self.text[start:offset])) + 1

    def offset_of(self, line: int, char_col: int) -> int:
        """Offset of a 1-based line and 1-based character column."""
        return self.line_starts[line - 1] + char_col - 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")
