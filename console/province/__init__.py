"""The province view, headless: the centres file (``centres.py``) and the Zhejiang demo (``demo.py``).

``hotline province CENTRES.toml`` (docs/province.md) shows every centre of a province on one screen.
What is here runs without Textual: reading the centres file into source choices, opening them, and the
demo's feed servers. The rows, the totals and the order are the view model's (console/viewmodel/province.py);
the app is console/province_app.py.
"""
