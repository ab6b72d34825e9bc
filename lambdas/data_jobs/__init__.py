"""data-jobs: builds the analytics services' data-versioned artifacts after a dataset upload (see README.md)."""
