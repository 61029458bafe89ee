"""The floor engine and its view model: pure Python, no Textual, no wall clock."""

from console.floor.counters import Counters
from console.floor.engine import FloorEngine
from console.floor.snapshot import FloorSnapshot

__all__ = ["Counters", "FloorEngine", "FloorSnapshot"]
