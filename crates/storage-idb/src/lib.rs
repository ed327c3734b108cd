//! IndexedDB storage with group commit.
