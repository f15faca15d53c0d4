//! Helpers shared by the integration tests: golden-case readers.
