"""The benchmark (see README.md); not part of the test suite."""
