"""The experiment notebooks, shipped with the package so `sdsclip reproduce` finds them after `pip install`."""
