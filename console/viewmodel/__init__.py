"""The dashboard's view model: plain data each widget draws (``views``), built once a tick (``build``).

Nothing is imported here: a widget importing :mod:`console.viewmodel.views` loads only that module,
never the builders and the engine, settings and storage they read.
"""
