"""The platform's models: numpy only, no I/O, no SQL; each tested against the library it replaces.

One module per family (forecasting, anomalies, decomposition, clustering, regressions, change
points). A model is a small object or pure function over numpy arrays, scikit-learn style:
`fit(...)` returns the fitted model, fitted values end in `_`, `predict`/`score` use them, and a
`seed` makes every restart deterministic. The services do the I/O (see STYLE.md).

Nothing is imported here, so importing one family does not import the others.
"""
