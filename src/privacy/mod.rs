mod address;
pub use address::*;
