"""Staffing arithmetic: Erlang C and A, and the forecast of the next hour (docs/staffing.md).

Pure functions of plain numbers: no engine, source, setting or screen. The view model asks them
about the live floor; the simulator sizes its roster with them.
"""
