"""The data lake's dataset: one schema, a deterministic generator, and an uploader."""
