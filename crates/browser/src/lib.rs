//! The emulator in the browser.
