//! Harness for end-to-end tests: locating and running the built binaries.
