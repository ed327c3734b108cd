//! File-backed storage on redb.
