"""Bad input, reported: every line or event the console could not use, with its line number and why.

A source or the floor engine records a problem here instead of crashing or staying silent. By default
the problem is kept and the input skipped; in strict mode the first problem stops the run with
:class:`InputRefused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from console.core.formatting import mask_numbers_in, plural

__all__ = ["InputRefused", "Problem", "ProblemLog", "skipped_sentence"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One line or event that could not be used, and why, in a sentence."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class InputRefused(Exception):
    """Strict mode met bad input; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(slots=True)
class ProblemLog:
    """Collects problems: the first ``keep`` in full, and a count of all of them."""

    strict: bool = False
    keep: int = 1000
    count: int = 0
    kept: list[Problem] = field(default_factory=list)

    def record(self, line: int | None, message: str) -> None:
        # a problem quotes what it could not use (a call id, a field): a caller's number in it goes masked,
        # here once for the report, the problems screen and stderr alike
        problem = Problem(line, mask_numbers_in(message))
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(problem)
        if self.strict:
            raise InputRefused(problem)

    def add(self, problem: Problem) -> None:
        self.record(problem.line, problem.message)

    def clear(self) -> None:
        self.count = 0
        self.kept.clear()


def skipped_sentence(count: int, noun: str, where: str) -> str:
    """"6 lines of day.jsonl could not be used and were skipped": the report's words, and the console's."""
    return f"{plural(count, noun)} of {where} could not be used and {'was' if count == 1 else 'were'} skipped"
