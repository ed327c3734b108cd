//! AWS wire protocols (see ARCHITECTURE.md).
