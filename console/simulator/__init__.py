"""The traffic generator: a plausible day of 12333 hotline traffic as a stream of events.

    from console.simulator import SimulationConfig, simulate_day

    events = simulate_day(SimulationConfig(seed=12333, calls=12_000, agents=60))

The day is a discrete-event simulation of the voice menu, a multi-server agent queue with impatient
callers, and a roster of agents with shifts, meals and breaks. docs/simulator.md tells how.
No Textual import here: the simulator runs headless.
"""

from console.simulator.config import SimulationConfig
from console.simulator.engine import simulate_day

__all__ = ["SimulationConfig", "simulate_day"]
